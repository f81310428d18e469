/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.clientconfig;

import java.util.Objects;

/**
 * One configuration file for a runtime: where it conventionally goes and its exact text.
 *
 * @param path the conventional install location, such as {@code /etc/docker/daemon.json}; a
 *     relative path (kind's cluster file) is relative to where the runtime's command is run
 * @param content the whole file, valid JSON, TOML or YAML as written, ending with a newline
 */
public record GeneratedFile(String path, String content) {

  /** Checks that both parts are present. */
  public GeneratedFile {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(content, "content");
    if (path.isEmpty()) {
      throw new IllegalArgumentException("path is empty");
    }
  }
}
