/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The {@code --admin URL} option of the commands that ask a running server: where its admin
 * listener is, {@value AdminClient#DEFAULT_URL} by default.
 */
final class AdminUrlOption {

  /** The environment variable that holds the password of {@code --user}. */
  static final String PASSWORD_VARIABLE = "CACHE_PROXY_PASSWORD";

  @Option(
      names = "--admin",
      paramLabel = "URL",
      description =
          "The running server's admin listener (default: "
              + AdminClient.DEFAULT_URL
              + "; the server's admin.port / --admin-port).")
  private String url = AdminClient.DEFAULT_URL;

  @Option(
      names = "--user",
      paramLabel = "NAME",
      description =
          "An admin (auth.admins) to sign in as, with the password or token secret from the"
              + " environment variable "
              + PASSWORD_VARIABLE
              + " or, with --password-stdin, from standard input.")
  private @Nullable String user;

  @Option(
      names = "--password-stdin",
      description = "Read the password of --user from the first line of standard input.")
  private boolean passwordStdin;

  /**
   * A client of the admin listener.
   *
   * @param command the command, for the usage error
   * @throws ParameterException when the URL is not an {@code http} or {@code https} URL
   */
  AdminClient client(CommandLine command, Duration timeout) {
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (URISyntaxException e) {
      throw new ParameterException(command, "--admin " + url + " is not a URL: " + e.getMessage());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if ((!scheme.equals("http") && !scheme.equals("https")) || uri.getHost() == null) {
      throw new ParameterException(
          command, "--admin " + url + " is not an http:// URL, such as " + AdminClient.DEFAULT_URL);
    }
    return new AdminClient(uri, timeout, authorization(command));
  }

  /** The {@code Authorization} header for {@code --user}, or null without it. */
  private @Nullable String authorization(CommandLine command) {
    String name = user;
    if (name == null) {
      if (passwordStdin) {
        throw new ParameterException(command, "--password-stdin needs --user NAME");
      }
      return null;
    }
    String password;
    if (passwordStdin) {
      try {
        password =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      } catch (IOException e) {
        throw new ParameterException(command, "cannot read the password: " + e.getMessage());
      }
    } else {
      password = System.getenv(PASSWORD_VARIABLE);
    }
    if (password == null || password.isEmpty()) {
      throw new ParameterException(
          command,
          "--user "
              + name
              + " needs a password: set "
              + PASSWORD_VARIABLE
              + " or pass it on standard input with --password-stdin");
    }
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((name + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
