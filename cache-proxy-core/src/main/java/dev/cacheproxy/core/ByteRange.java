/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One byte range of a blob, from {@code first} to {@code last} inclusive, as in an HTTP {@code
 * Range: bytes=first-last} header.
 *
 * @param first the first byte, at least 0
 * @param last the last byte, inclusive
 */
public record ByteRange(long first, long last) {

  private static final Pattern SINGLE = Pattern.compile("bytes=(\\d{0,19})-(\\d{0,19})");

  /** Validates the bounds. */
  public ByteRange {
    if (first < 0 || last < first) {
      throw new IllegalArgumentException("invalid byte range " + first + "-" + last);
    }
  }

  /** The number of bytes in the range. */
  public long length() {
    return last - first + 1;
  }

  /**
   * Resolves an HTTP {@code Range} header against a blob of {@code size} bytes. Returns empty when
   * the header is absent or is not a single byte range (then the whole blob is sent, as RFC 9110
   * allows); throws {@link ProxyException} with {@link OciErrorCode#RANGE_INVALID} when it cannot
   * be satisfied.
   */
  public static Optional<ByteRange> parse(@Nullable String header, long size) {
    if (header == null || header.isBlank()) {
      return Optional.empty();
    }
    Matcher m = SINGLE.matcher(header.trim());
    if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
      return Optional.empty();
    }
    try {
      if (m.group(1).isEmpty()) {
        long suffix = Long.parseLong(m.group(2));
        if (suffix == 0 || size == 0) {
          throw unsatisfiable(header, size);
        }
        return Optional.of(new ByteRange(Math.max(0, size - suffix), size - 1));
      }
      long first = Long.parseLong(m.group(1));
      long last = m.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(m.group(2)), size - 1);
      if (first >= size || last < first) {
        throw unsatisfiable(header, size);
      }
      return Optional.of(new ByteRange(first, last));
    } catch (NumberFormatException e) {
      throw unsatisfiable(header, size);
    }
  }

  private static ProxyException unsatisfiable(String header, long size) {
    return new ProxyException(
        OciErrorCode.RANGE_INVALID,
        "range '" + Tag.shorten(header) + "' cannot be satisfied for a blob of " + size + " bytes");
  }
}
