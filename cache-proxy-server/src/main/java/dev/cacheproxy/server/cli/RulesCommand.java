/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.cli;

import dev.cacheproxy.server.config.ConfigException;
import dev.cacheproxy.server.config.ProxyConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;

/**
 * {@code cache-proxy rules}: tools for a configuration file that do not start the server, {@code
 * rules check FILE} and {@code rules explain FILE REPOSITORY}. Without a subcommand it prints its
 * usage and exits with 2.
 */
@Command(
    name = "rules",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Checks a configuration file, or explains which rule serves a repository.",
    subcommands = {RulesCheckCommand.class, RulesExplainCommand.class})
final class RulesCommand {

  /**
   * Loads {@code file}, or prints {@code FILE: <what is wrong>} to {@code err} and returns null.
   */
  static @Nullable ProxyConfig load(Path file, PrintWriter err) {
    try {
      return ProxyConfig.load(file);
    } catch (ConfigException e) {
      err.println(refusal(file, e));
      err.flush();
      return null;
    }
  }

  /** {@code FILE: message}, without repeating the file when the message starts with it. */
  static String refusal(Path file, ConfigException e) {
    String message = Objects.requireNonNullElse(e.getMessage(), "invalid configuration");
    String prefix = file + ": ";
    return message.startsWith(prefix) ? message : prefix + message;
  }
}
