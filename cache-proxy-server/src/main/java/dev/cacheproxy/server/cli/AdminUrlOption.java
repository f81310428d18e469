/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The {@code --admin URL} option of the commands that ask a running server: where its admin
 * listener is, {@value AdminClient#DEFAULT_URL} by default.
 */
final class AdminUrlOption {

  @Option(
      names = "--admin",
      paramLabel = "URL",
      description =
          "The running server's admin listener (default: "
              + AdminClient.DEFAULT_URL
              + "; the server's admin.port / --admin-port).")
  private String url = AdminClient.DEFAULT_URL;

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
    return new AdminClient(uri, timeout);
  }
}
