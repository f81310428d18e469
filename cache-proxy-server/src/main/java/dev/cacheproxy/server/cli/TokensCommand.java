/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.cli;

import dev.cacheproxy.server.auth.StoredToken;
import dev.cacheproxy.server.auth.TokenStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cache-proxy tokens create|list|revoke}: manages the tokens file, the machine credentials
 * that sign in to the proxy (like ACR tokens). Secrets are printed once, by {@code create}, and
 * stored only as their SHA-256. The server notices changes within a second.
 *
 * <pre>
 * $ cache-proxy tokens create ci --scope-map hub-readers --expires 30d --config proxy.yaml
 * cpt_Vb3…
 * $ cache-proxy tokens list --config proxy.yaml
 * NAME  SCOPE MAPS   CREATED               EXPIRES               STATUS
 * ci    hub-readers  2026-03-02T09:14:03Z  2026-04-01T09:14:03Z  active
 * </pre>
 */
@Command(
    name = "tokens",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Creates, lists and revokes the tokens that sign in to the proxy.",
    subcommands = {
      TokensCommand.Create.class,
      TokensCommand.ListTokens.class,
      TokensCommand.Revoke.class
    })
final class TokensCommand implements Callable<Integer> {

  @Spec private @Nullable CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(
        Objects.requireNonNull(spec).commandLine(), "name a command: create, list or revoke");
  }

  private static final Pattern EXPIRY = Pattern.compile("(\\d{1,6})([hdw])");

  /** {@code tokens create NAME --scope-map M... [--expires 30d]}. */
  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      sortOptions = false,
      description = {
        "Creates a token and prints its secret on standard output, once; it is stored only"
            + " hashed. Sign in with the token's name as the user name and the secret as the"
            + " password."
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:created",
        "1:the tokens file could not be written",
        "2:bad usage, such as an unknown scope map or an active token of that name"
      })
  static final class Create implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "NAME", description = "The token's name.")
    private String name = "";

    @Option(
        names = "--scope-map",
        paramLabel = "MAP",
        required = true,
        description = "A scope map of auth.scopeMaps the token is bound to; repeat for more.")
    private List<String> scopeMaps = new ArrayList<>();

    @Option(
        names = "--expires",
        paramLabel = "DURATION",
        description = "How long the token works, such as 12h, 30d or 8w (default: until revoked).")
    private @Nullable String expires;

    @Mixin private AuthFilesOption files = new AuthFilesOption();

    @Spec private @Nullable CommandSpec spec;

    private final Clock clock = Clock.systemUTC();

    @Override
    public Integer call() {
      CommandLine command = Objects.requireNonNull(spec).commandLine();
      try {
        StoredToken.checkName(name);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(command, String.valueOf(e.getMessage()));
      }
      files.checkScopeMaps(command, scopeMaps);
      Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
      String text = expires;
      Instant end = text == null ? null : now.plus(expiry(command, text));
      TokenStore store = files.tokens(command);
      TokenStore.NewToken created;
      try {
        created = store.create(name, scopeMaps, end, now);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(command, String.valueOf(e.getMessage()));
      } catch (IOException e) {
        return failed(command.getErr(), "cannot write " + store.file() + ": " + e);
      }
      PrintWriter out = command.getOut();
      out.println(created.secret());
      out.flush();
      PrintWriter err = command.getErr();
      err.println(
          "created token "
              + name
              + " (scope maps: "
              + String.join(", ", scopeMaps)
              + (end == null ? "; no expiry" : "; expires " + end)
              + ") in "
              + store.file());
      err.println("the secret above is shown only now; sign in with it as the password:");
      err.println("  docker login PROXY-HOST --username " + name + " --password-stdin");
      err.println("  podman login PROXY-HOST --username " + name + " --password-stdin");
      err.println("  skopeo copy --src-creds " + name + ":SECRET docker://PROXY-HOST/NAME:TAG …");
      err.flush();
      return CommandLine.ExitCode.OK;
    }

    private static Duration expiry(CommandLine command, String text) {
      Matcher m = EXPIRY.matcher(text.strip().toLowerCase(Locale.ROOT));
      if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
        throw new ParameterException(
            command, "--expires " + text + " is not a duration such as 12h, 30d or 8w");
      }
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "h" -> Duration.ofHours(n);
        case "d" -> Duration.ofDays(n);
        default -> Duration.ofDays(7 * n);
      };
    }
  }

  /** {@code tokens list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      description = "Lists the tokens: name, scope maps, created, expires, status; never secrets.")
  static final class ListTokens implements Callable<Integer> {

    @Mixin private AuthFilesOption files = new AuthFilesOption();

    @Spec private @Nullable CommandSpec spec;

    @Override
    public Integer call() {
      CommandLine command = Objects.requireNonNull(spec).commandLine();
      TokenStore store = files.tokens(command);
      List<StoredToken> tokens;
      try {
        tokens = store.list();
      } catch (IOException | IllegalArgumentException e) {
        return failed(command.getErr(), "cannot read " + store.file() + ": " + e.getMessage());
      }
      Instant now = Instant.now();
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"NAME", "SCOPE MAPS", "CREATED", "EXPIRES", "STATUS"});
      for (StoredToken token : tokens) {
        Instant expires = token.expires();
        rows.add(
            new String[] {
              token.name(),
              String.join(",", token.scopeMaps()),
              token.created().toString(),
              expires == null ? "never" : expires.toString(),
              token.status(now).label()
            });
      }
      PrintWriter out = command.getOut();
      if (tokens.isEmpty()) {
        out.println("no tokens in " + store.file());
      } else {
        print(out, rows);
      }
      out.flush();
      return CommandLine.ExitCode.OK;
    }

    private static void print(PrintWriter out, List<String[]> rows) {
      int[] widths = new int[rows.getFirst().length];
      for (String[] row : rows) {
        for (int i = 0; i < row.length; i++) {
          widths[i] = Math.max(widths[i], row[i].length());
        }
      }
      for (String[] row : rows) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < row.length; i++) {
          line.append(i == 0 ? "" : "  ");
          line.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s", row[i]));
        }
        out.println(line);
      }
    }
  }

  /** {@code tokens revoke NAME}. */
  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      description = {
        "Revokes a token: the server refuses it, and the JWTs issued to it, within a second."
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {"0:revoked", "1:no such token, or the file could not be written"})
  static final class Revoke implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "NAME", description = "The token to revoke.")
    private String name = "";

    @Mixin private AuthFilesOption files = new AuthFilesOption();

    @Spec private @Nullable CommandSpec spec;

    @Override
    public Integer call() {
      CommandLine command = Objects.requireNonNull(spec).commandLine();
      TokenStore store = files.tokens(command);
      try {
        if (!store.revoke(name)) {
          return failed(command.getErr(), "no token " + name + " in " + store.file());
        }
      } catch (IOException | IllegalArgumentException e) {
        return failed(command.getErr(), "cannot update " + store.file() + ": " + e.getMessage());
      }
      command.getOut().println("revoked token " + name);
      command.getOut().flush();
      return CommandLine.ExitCode.OK;
    }
  }

  private static int failed(PrintWriter err, String message) {
    err.println("cache-proxy: " + message);
    err.flush();
    return CommandLine.ExitCode.SOFTWARE;
  }
}
