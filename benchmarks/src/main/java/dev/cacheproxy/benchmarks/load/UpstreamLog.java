/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks.load;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counts the blob GETs the upstream registry served, from its access log (one combined-format line
 * per request, e.g. {@code "GET /v2/bench/big/blobs/sha256:… HTTP/1.1" 200}). Scenarios run one
 * after another, so the lines written between {@link #mark()} and {@link #blobGetsSince(long)} are
 * the ones the scenario caused.
 */
final class UpstreamLog {
  private static final Pattern BLOB_GET =
      Pattern.compile("\"GET /v2/\\S+/blobs/(sha256:[0-9a-f]{64}) HTTP/1\\.[01]\" (\\d{3})");

  private final Path file;

  UpstreamLog(Path file) {
    this.file = file;
  }

  /** The log's current length: where the next scenario's lines start. */
  long mark() throws IOException {
    return Files.exists(file) ? Files.size(file) : 0;
  }

  /** Successful (2xx) blob GETs per digest in the lines written after {@code mark}. */
  Map<String, Integer> blobGetsSince(long mark) throws IOException {
    String text;
    try (InputStream in = Files.newInputStream(file)) {
      in.skipNBytes(mark);
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    return count(text);
  }

  /** Successful blob GETs per digest in {@code text}. */
  static Map<String, Integer> count(String text) {
    Map<String, Integer> gets = new HashMap<>();
    Matcher m = BLOB_GET.matcher(text);
    while (m.find()) {
      if (m.group(2).startsWith("2")) {
        gets.merge(m.group(1), 1, Integer::sum);
      }
    }
    return gets;
  }
}
