/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.math.BigInteger;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fuzzes {@link ByteRange#parse}, which resolves a client's {@code Range} header against a blob. An
 * input is the blob size in decimal, a newline, and the header (see {@code
 * ByteRangeFuzzTestInputs/parse/}); inputs whose first line is not a size are skipped.
 *
 * <p>Properties: the result is either no range (send the whole blob), a range with {@code 0 <=
 * first <= last < size}, or {@link ProxyException} {@code RANGE_INVALID} with a short message. When
 * a range comes back for a header of the form {@code bytes=first-last} or {@code bytes=-suffix},
 * its bounds are the ones RFC 9110 section 14.1.2 gives, worked out here with {@link BigInteger} so
 * that large positions are checked too.
 */
class ByteRangeFuzzTest {

  private static final Pattern RANGE = Pattern.compile("(?i)bytes=([0-9]*)-([0-9]*)");

  @FuzzTest
  void parse(byte[] input) {
    String text = new String(input, UTF_8);
    int newline = text.indexOf('\n');
    if (newline < 0) {
      return;
    }
    long size;
    try {
      size = Long.parseLong(text.substring(0, newline));
    } catch (NumberFormatException e) {
      return;
    }
    if (size < 0) {
      return;
    }
    String header = text.substring(newline + 1);
    Optional<ByteRange> range;
    try {
      range = ByteRange.parse(header, size);
    } catch (ProxyException e) {
      assertThat(e.code()).isEqualTo(OciErrorCode.RANGE_INVALID);
      FuzzChecks.assertShort(e);
      return;
    }
    if (range.isEmpty()) {
      return;
    }
    ByteRange r = range.get();
    assertThat(r.first()).isBetween(0L, size - 1);
    assertThat(r.last()).isBetween(r.first(), size - 1);
    assertThat(r.length()).isBetween(1L, size);

    Matcher m = RANGE.matcher(header.trim());
    assertThat(m.matches())
        .as("a range came back for '%s', which is not bytes=a-b", header)
        .isTrue();
    BigInteger blob = BigInteger.valueOf(size);
    BigInteger lastByte = blob.subtract(BigInteger.ONE);
    if (m.group(1).isEmpty()) {
      BigInteger suffix = new BigInteger(m.group(2));
      assertThat(BigInteger.valueOf(r.first()))
          .isEqualTo(blob.subtract(suffix).max(BigInteger.ZERO));
      assertThat(r.last()).isEqualTo(size - 1);
    } else {
      assertThat(BigInteger.valueOf(r.first())).isEqualTo(new BigInteger(m.group(1)));
      BigInteger last = m.group(2).isEmpty() ? lastByte : new BigInteger(m.group(2)).min(lastByte);
      assertThat(BigInteger.valueOf(r.last())).isEqualTo(last);
    }
  }
}
