/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.cli;

import dev.cacheproxy.server.auth.AuthSettings;
import dev.cacheproxy.server.auth.Htpasswd;
import dev.cacheproxy.server.config.ConfigException;
import dev.cacheproxy.server.config.ProxyConfig;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cache-proxy users add NAME [--htpasswd FILE | --config FILE] [--password-stdin]}: adds a
 * user to the htpasswd file, or sets an existing user's password, as a bcrypt hash ({@code $2y$},
 * like {@code htpasswd -B}). The file is created (0600) if missing; the server notices the change
 * within a second.
 */
@Command(
    name = "users",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Manages the users of the htpasswd file.",
    subcommands = {UsersCommand.Add.class})
final class UsersCommand implements Callable<Integer> {

  @Spec private @Nullable CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(Objects.requireNonNull(spec).commandLine(), "name a command: add");
  }

  /** {@code users add NAME}. */
  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      sortOptions = false,
      description = {
        "Adds a user to the htpasswd file, or sets the password of an existing one. The password"
            + " is asked twice on a terminal, else read from the first line of standard input."
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:added or changed",
        "1:the file could not be written",
        "2:bad usage, such as no file named, an empty password or passwords that differ"
      })
  static final class Add implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "NAME", description = "The user name.")
    private String name = "";

    @Option(
        names = "--htpasswd",
        paramLabel = "FILE",
        description = "The htpasswd file (default: auth.htpasswd of --config).")
    private @Nullable Path htpasswd;

    @Option(
        names = "--config",
        paramLabel = "FILE",
        description = "The server's YAML configuration, whose auth.htpasswd names the file.")
    private @Nullable Path config;

    @Option(
        names = "--password-stdin",
        description = "Read the password from the first line of standard input, without asking.")
    private boolean passwordStdin;

    @Option(
        names = "--cost",
        paramLabel = "N",
        description = "The bcrypt cost, 4 to 16 (default: " + Htpasswd.DEFAULT_COST + ").")
    private int cost = Htpasswd.DEFAULT_COST;

    @Spec private @Nullable CommandSpec spec;

    @Override
    public Integer call() {
      CommandLine command = Objects.requireNonNull(spec).commandLine();
      try {
        Htpasswd.checkName(name);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(command, String.valueOf(e.getMessage()));
      }
      if (cost < 4 || cost > 16) {
        throw new ParameterException(command, "--cost " + cost + " must be 4 to 16");
      }
      AuthSettings auth = auth(command);
      Path file = htpasswd != null ? htpasswd : auth == null ? null : auth.htpasswd();
      if (file == null) {
        throw new ParameterException(
            command,
            config == null
                ? "name the htpasswd file with --htpasswd FILE or --config FILE"
                : config + " sets no auth.htpasswd; name the file with --htpasswd FILE");
      }
      char[] password = password(command);
      PrintWriter out = command.getOut();
      try {
        boolean replaced = Htpasswd.addUser(file, name, password, cost);
        out.println((replaced ? "changed the password of " : "added user ") + name + " in " + file);
      } catch (IOException e) {
        command.getErr().println("cache-proxy: cannot write " + file + ": " + e);
        command.getErr().flush();
        return CommandLine.ExitCode.SOFTWARE;
      } finally {
        Arrays.fill(password, '\0');
      }
      if (auth != null
          && !auth.users().containsKey(name)
          && !auth.users().containsKey(AuthSettings.EVERY_USER)) {
        out.println(
            "note: "
                + name
                + " has no scope maps yet; bind it to some under auth.users of "
                + config);
      }
      out.flush();
      return CommandLine.ExitCode.OK;
    }

    private @Nullable AuthSettings auth(CommandLine command) {
      Path file = config;
      if (file == null) {
        return null;
      }
      try {
        return ProxyConfig.load(file).security().auth();
      } catch (ConfigException e) {
        throw new ParameterException(command, String.valueOf(e.getMessage()), e, null, null);
      }
    }

    /**
     * Whether {@code console} is a terminal: since Java 22 {@link System#console()} also answers
     * when standard input is redirected, and {@code Console.isTerminal()} tells the two apart.
     */
    private static boolean isTerminal(Console console) {
      try {
        return Boolean.TRUE.equals(Console.class.getMethod("isTerminal").invoke(console));
      } catch (ReflectiveOperationException e) {
        return true;
      }
    }

    /** The password: asked twice on a terminal, else the first line of standard input. */
    private char[] password(CommandLine command) {
      Console console = passwordStdin ? null : System.console();
      char[] password;
      if (console != null && isTerminal(console)) {
        char[] first = console.readPassword("password for %s: ", name);
        char[] second = console.readPassword("again: ");
        if (first == null || second == null || !Arrays.equals(first, second)) {
          throw new ParameterException(command, "the passwords differ; nothing was changed");
        }
        Arrays.fill(second, '\0');
        password = first;
      } else {
        try {
          BufferedReader in =
              new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
          String line = in.readLine();
          password = line == null ? new char[0] : line.toCharArray();
        } catch (IOException e) {
          throw new ParameterException(command, "cannot read the password: " + e.getMessage());
        }
      }
      if (password.length == 0) {
        throw new ParameterException(command, "the password is empty; nothing was changed");
      }
      return password;
    }
  }
}
