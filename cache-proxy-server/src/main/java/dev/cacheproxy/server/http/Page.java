/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.ProxyException;
import java.util.Deque;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The {@code n} and {@code last} query parameters of a tag list or catalog request.
 *
 * @param limit how many entries to return, {@link Integer#MAX_VALUE} when {@code n} is absent
 * @param last return only entries after this one, or null to start at the beginning
 */
record Page(int limit, @Nullable String last) {

  /** The largest {@code n} accepted. */
  static final int MAX_LIMIT = 10_000;

  /**
   * Reads the parameters.
   *
   * @throws ProxyException {@code PAGINATION_NUMBER_INVALID} (400) when {@code n} is not an integer
   *     from 0 to {@value #MAX_LIMIT}
   */
  static Page parse(Map<String, Deque<String>> query) {
    String n = first(query, "n");
    String last = first(query, "last");
    if (last != null && last.isEmpty()) {
      last = null;
    }
    if (n == null) {
      return new Page(Integer.MAX_VALUE, last);
    }
    int limit;
    try {
      limit = Integer.parseInt(n);
    } catch (NumberFormatException e) {
      limit = -1;
    }
    if (limit < 0 || limit > MAX_LIMIT) {
      throw new ProxyException(
          OciErrorCode.PAGINATION_NUMBER_INVALID,
          "query parameter n must be an integer from 0 to "
              + MAX_LIMIT
              + ", not '"
              + (n.length() > 20 ? n.substring(0, 20) + "…" : n)
              + "'");
    }
    return new Page(limit, last);
  }

  /** Whether the client asked for a page size. */
  boolean limited() {
    return limit != Integer.MAX_VALUE;
  }

  private static @Nullable String first(Map<String, Deque<String>> query, String name) {
    Deque<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.getFirst();
  }
}
