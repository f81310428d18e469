/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.logging;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The shape of cache-proxy's log lines on standard error, as chosen by {@code log.format}. */
public enum LogFormat {
  /** One human-readable line per event: time, level, logger and message. The default. */
  TEXT("logback.xml"),
  /** One JSON object per line, with the access log's fields and the request id as keys. */
  JSON("logback-json.xml");

  private final String resource;

  LogFormat(String resource) {
    this.resource = resource;
  }

  /**
   * Parses a format name, {@code text} or {@code json}, ignoring case and surrounding blanks.
   *
   * @throws IllegalArgumentException naming the valid values when {@code name} is neither
   */
  public static LogFormat parse(String name) {
    String key = name.strip().toUpperCase(Locale.ROOT);
    for (LogFormat format : values()) {
      if (format.name().equals(key)) {
        return format;
      }
    }
    throw new IllegalArgumentException(
        "unknown log format '"
            + name
            + "': use "
            + Arrays.stream(values()).map(LogFormat::toString).collect(Collectors.joining(" or ")));
  }

  /** The Logback configuration on the class path that gives this format. */
  String resource() {
    return resource;
  }

  /** The name as written in the configuration: {@code text} or {@code json}. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
