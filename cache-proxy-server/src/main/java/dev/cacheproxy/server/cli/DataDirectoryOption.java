/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.cli;

import dev.cacheproxy.core.storage.CacheMaintenance;
import dev.cacheproxy.server.config.ConfigException;
import dev.cacheproxy.server.config.ProxyConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * The options the maintenance commands ({@code verify}, {@code gc}, {@code du}) find the data
 * directory with, as a picocli mixin: {@code --data-dir DIR}, else {@code storage.dataDir} of
 * {@code --config FILE}, else the built-in {@code ./data}. A relative directory is resolved against
 * the working directory, as the server does.
 */
final class DataDirectoryOption {

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "The cache folder; overrides storage.dataDir of --config.")
  private @Nullable Path dataDir;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "The server's YAML configuration, whose storage.dataDir names the cache folder"
              + " (without either option: ./data).")
  private @Nullable Path config;

  /**
   * Opens the data directory, or prints {@code cache-proxy: <why not>} to {@code err} and returns
   * null (a missing directory, a folder that is no data directory, an unreadable configuration).
   */
  @Nullable CacheMaintenance open(PrintWriter err) {
    Path dir = dataDir;
    Path file = config;
    if (dir == null && file != null) {
      try {
        dir = ProxyConfig.load(file).dataDirectory();
      } catch (ConfigException e) {
        return refuse(err, e.getMessage());
      }
    }
    if (dir == null) {
      dir = ProxyConfig.builtIn().dataDirectory();
    }
    try {
      return CacheMaintenance.open(dir);
    } catch (IllegalArgumentException e) {
      String hint =
          dataDir == null && config == null
              ? " (name the cache with --data-dir DIR or --config FILE)"
              : "";
      return refuse(err, e.getMessage() + hint);
    }
  }

  private static @Nullable CacheMaintenance refuse(PrintWriter err, @Nullable String message) {
    err.println("cache-proxy: " + message);
    err.flush();
    return null;
  }
}
