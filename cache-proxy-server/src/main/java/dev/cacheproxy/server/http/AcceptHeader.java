/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Reads the media types a client accepts from its {@code Accept} headers. */
final class AcceptHeader {

  private AcceptHeader() {}

  /**
   * The media types of every {@code Accept} header value, in order and without duplicates: values
   * are split on commas, parameters ({@code ;q=0.5}) are dropped, and empty entries are skipped.
   */
  static List<String> mediaTypes(@Nullable Iterable<String> headerValues) {
    if (headerValues == null) {
      return List.of();
    }
    Set<String> types = new LinkedHashSet<>();
    for (String value : headerValues) {
      for (String entry : value.split(",", -1)) {
        int semicolon = entry.indexOf(';');
        String type = (semicolon < 0 ? entry : entry.substring(0, semicolon)).trim();
        if (!type.isEmpty()) {
          types.add(type);
        }
      }
    }
    return List.copyOf(types);
  }
}
