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

  /** One byte range; the unit is case-insensitive (RFC 9110 section 14.1). */
  private static final Pattern SINGLE = Pattern.compile("(?i)bytes=([0-9]*)-([0-9]*)");

  /** Longer headers are not ranges any client sends: ignored without being matched. */
  private static final int MAX_HEADER = 100;

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
   * Resolves an HTTP {@code Range} header against a blob of {@code size} bytes, as RFC 9110 allows
   * a server to: a header that is absent or is not one well-formed byte range is ignored, and the
   * whole blob is sent. That covers other units, several ranges ({@code bytes=0-1,5-6}), a last
   * byte before the first ({@code bytes=5-2}), garbage, and headers longer than {@value
   * #MAX_HEADER} characters. A well-formed range that cannot be satisfied (its first byte is at or
   * past the end, or a suffix of 0 bytes) throws {@link ProxyException} with {@link
   * OciErrorCode#RANGE_INVALID}, which is sent as 416 with <code>Content-Range: bytes &#42;/size
   * </code>. Positions too large for a {@code long} saturate: {@code bytes=0-99999999999999999999}
   * asks for the whole blob from byte 0.
   */
  public static Optional<ByteRange> parse(@Nullable String header, long size) {
    if (header == null || header.isBlank() || header.length() > MAX_HEADER) {
      return Optional.empty();
    }
    Matcher m = SINGLE.matcher(header.trim());
    if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
      return Optional.empty();
    }
    if (m.group(1).isEmpty()) {
      long suffix = position(m.group(2));
      if (suffix == 0) {
        throw unsatisfiable(header, size);
      }
      // A suffix of an empty blob is satisfiable but has no bytes to send: send the whole (empty)
      // blob.
      return size == 0
          ? Optional.empty()
          : Optional.of(new ByteRange(Math.max(0, size - suffix), size - 1));
    }
    long first = position(m.group(1));
    long requestedLast = m.group(2).isEmpty() ? Long.MAX_VALUE : position(m.group(2));
    if (requestedLast < first) {
      return Optional.empty();
    }
    if (first >= size) {
      throw unsatisfiable(header, size);
    }
    return Optional.of(new ByteRange(first, Math.min(requestedLast, size - 1)));
  }

  /** A decimal position; one too large for a {@code long} is {@link Long#MAX_VALUE}. */
  private static long position(String digits) {
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  private static ProxyException unsatisfiable(String header, long size) {
    return new ProxyException(
        OciErrorCode.RANGE_INVALID,
        "range '" + Tag.shorten(header) + "' cannot be satisfied for a blob of " + size + " bytes");
  }
}
