/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The end of a process's log file, for failure messages. */
final class LogTail {

  private static final int MAX_BYTES = 8 * 1024;

  private LogTail() {}

  /** The last few KiB of {@code file}, or a note saying why there is none. */
  static String of(Path file) {
    if (!Files.exists(file)) {
      return "(no output: " + file + " does not exist)";
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long length = raf.length();
      int n = (int) Math.min(length, MAX_BYTES);
      byte[] bytes = new byte[n];
      raf.seek(length - n);
      raf.readFully(bytes);
      String text = new String(bytes, StandardCharsets.UTF_8);
      String prefix = length > n ? "…" : "";
      return text.isBlank() ? "(no output)" : prefix + text.stripTrailing();
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }
}
