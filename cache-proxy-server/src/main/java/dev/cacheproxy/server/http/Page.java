/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.ProxyException;
import java.util.Deque;
import java.util.Map;
import java.util.regex.Pattern;
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
   * The longest {@code last} accepted: as long as the longest repository name, and longer than any
   * tag (128).
   */
  static final int MAX_LAST = 255;

  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,9}");

  /**
   * Reads the parameters.
   *
   * @throws ProxyException {@code PAGINATION_NUMBER_INVALID} (400) when {@code n} is not an integer
   *     from 0 to {@value #MAX_LIMIT} or {@code last} is longer than {@value #MAX_LAST} characters
   */
  static Page parse(Map<String, Deque<String>> query) {
    String n = first(query, "n");
    String last = first(query, "last");
    if (last != null && last.isEmpty()) {
      last = null;
    }
    if (last != null && last.length() > MAX_LAST) {
      throw new ProxyException(
          OciErrorCode.PAGINATION_NUMBER_INVALID,
          "query parameter last must be at most "
              + MAX_LAST
              + " characters (a tag or repository name), not "
              + last.length());
    }
    if (n == null) {
      return new Page(Integer.MAX_VALUE, last);
    }
    // ASCII digits only: Integer.parseInt would also take a sign and other scripts' digits.
    int limit = DIGITS.matcher(n).matches() ? Integer.parseInt(n) : -1;
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
