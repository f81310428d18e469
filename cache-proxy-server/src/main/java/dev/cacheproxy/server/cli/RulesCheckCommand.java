/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.cli;

import dev.cacheproxy.server.config.ConfigException;
import dev.cacheproxy.server.config.ProxyConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cache-proxy rules check FILE}: validates a configuration file the way the server does at
 * start and at reload, like {@code nginx -t}. Prints {@code FILE: OK, N rules} and exits with 0, or
 * prints {@code FILE: <error naming the key, rule and field>} to standard error and exits with 2.
 * Passwords are only read with {@code --secrets}, and never printed.
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Validates a configuration file without starting the server.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the file is valid", "2:the file is invalid (the message says why)"})
final class RulesCheckCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "FILE", description = "The YAML configuration file.")
  private @Nullable Path file;

  @Option(
      names = "--secrets",
      description =
          "Also read every credential set's password from its variable or file, as the server"
              + " does at start (nothing is printed but the set's name).")
  private boolean secrets;

  @Spec private @Nullable CommandSpec spec;

  @Override
  public Integer call() {
    CommandSpec s = Objects.requireNonNull(spec);
    Path path = Objects.requireNonNull(file);
    PrintWriter out = s.commandLine().getOut();
    PrintWriter err = s.commandLine().getErr();
    ProxyConfig config = RulesCommand.load(path, err);
    if (config == null) {
      return CommandLine.ExitCode.USAGE;
    }
    if (secrets) {
      try {
        config.checkSecrets();
      } catch (ConfigException e) {
        err.println(RulesCommand.refusal(path, e));
        err.flush();
        return CommandLine.ExitCode.USAGE;
      }
    }
    int n = config.rules().rules().size();
    out.println(path + ": OK, " + n + (n == 1 ? " rule" : " rules"));
    out.flush();
    return CommandLine.ExitCode.OK;
  }
}
