/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.cli;

import dev.cacheproxy.server.auth.AuthSettings;
import dev.cacheproxy.server.auth.TokenStore;
import dev.cacheproxy.server.config.ConfigException;
import dev.cacheproxy.server.config.ProxyConfig;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The options the {@code tokens} commands find the tokens file with, as a picocli mixin: {@code
 * auth.tokensFile} of {@code --config FILE}, else {@code <dataDir>/auth/tokens.json} of {@code
 * --data-dir DIR} or of the configuration's {@code storage.dataDir}, else of the built-in {@code
 * ./data}.
 */
final class AuthFilesOption {

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "The server's YAML configuration: its auth.tokensFile (or storage.dataDir) names the"
              + " tokens file, and its auth.scopeMaps are the scope maps a token may use.")
  private @Nullable Path config;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "The data folder whose auth/tokens.json is the tokens file (default: ./data).")
  private @Nullable Path dataDir;

  private @Nullable ProxyConfig loaded;

  /**
   * The configuration of {@code --config}, or null without it.
   *
   * @throws ParameterException when it cannot be read
   */
  @Nullable ProxyConfig config(CommandLine command) {
    Path file = config;
    if (file == null) {
      return null;
    }
    ProxyConfig proxyConfig = loaded;
    if (proxyConfig == null) {
      try {
        proxyConfig = ProxyConfig.load(file);
      } catch (ConfigException e) {
        throw new ParameterException(command, String.valueOf(e.getMessage()), e, null, null);
      }
      loaded = proxyConfig;
    }
    return proxyConfig;
  }

  /** The tokens file. */
  TokenStore tokens(CommandLine command) {
    ProxyConfig proxyConfig = config(command);
    AuthSettings auth =
        proxyConfig == null ? AuthSettings.anonymousPull() : proxyConfig.security().auth();
    Path dir = dataDir;
    if (dir == null) {
      dir = (proxyConfig == null ? ProxyConfig.builtIn() : proxyConfig).dataDirectory();
    }
    return new TokenStore(auth.tokensFile(dir));
  }

  /**
   * Checks that the configuration defines every scope map of {@code names}; without {@code
   * --config} any name is accepted.
   *
   * @throws ParameterException naming the unknown map and the defined ones
   */
  void checkScopeMaps(CommandLine command, List<String> names) {
    ProxyConfig proxyConfig = config(command);
    if (proxyConfig == null) {
      return;
    }
    var defined = proxyConfig.security().auth().scopeMaps().keySet();
    for (String name : names) {
      if (!defined.contains(name)) {
        throw new ParameterException(
            command,
            "scope map '"
                + name
                + "' is not defined under auth.scopeMaps of "
                + config
                + (defined.isEmpty() ? "" : " (defined: " + String.join(", ", defined) + ")"));
      }
    }
  }
}
