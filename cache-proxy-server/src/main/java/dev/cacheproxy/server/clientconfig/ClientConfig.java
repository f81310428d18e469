/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.clientconfig;

import java.util.List;
import java.util.Objects;

/**
 * What a runtime needs to pull through the proxy: the files to write and a short note on how to
 * apply and try them.
 *
 * @param files the files, in the order they should be written
 * @param usage how to apply the files and try a pull, as lines ending with a newline
 */
public record ClientConfig(List<GeneratedFile> files, String usage) {

  /** Copies the list. */
  public ClientConfig {
    files = List.copyOf(files);
    Objects.requireNonNull(usage, "usage");
  }

  /**
   * The text {@code cache-proxy client-config} prints: each file as a {@code # <path>} line, its
   * content and an empty line, then the usage note.
   */
  public String render() {
    StringBuilder out = new StringBuilder();
    for (GeneratedFile file : files) {
      out.append("# ").append(file.path()).append('\n').append(file.content()).append('\n');
    }
    return out.append(usage).toString();
  }
}
