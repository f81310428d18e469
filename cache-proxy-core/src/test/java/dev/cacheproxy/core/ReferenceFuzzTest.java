/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes {@link Reference#parse}, what a client writes after {@code /manifests/}. Without {@code -P
 * fuzz} it replays the seed corpus in {@code ReferenceFuzzTestInputs/parse/}.
 *
 * <p>Properties: bad input fails only with {@link ProxyException}, {@code DIGEST_INVALID} when the
 * text holds a colon and {@code MANIFEST_INVALID} otherwise, with a short message; good input is
 * canonical (its {@code toString} is the input itself, so no two spellings name one manifest) and
 * parses back to an equal value.
 */
class ReferenceFuzzTest {

  @FuzzTest
  void parse(byte[] input) {
    String text = new String(input, UTF_8);
    Reference reference;
    try {
      reference = Reference.parse(text);
    } catch (ProxyException e) {
      assertThat(e.code())
          .isEqualTo(
              text.indexOf(':') >= 0 ? OciErrorCode.DIGEST_INVALID : OciErrorCode.MANIFEST_INVALID);
      FuzzChecks.assertShort(e);
      return;
    }
    assertThat(reference).isInstanceOf(text.indexOf(':') >= 0 ? Digest.class : Tag.class);
    assertThat(reference.toString()).isEqualTo(text);
    assertThat(Reference.parse(reference.toString())).isEqualTo(reference);
    if (reference instanceof Tag tag) {
      assertThat(Tag.isValid(text)).isTrue();
      assertThat(tag.compareTo(Tag.parse(text))).isZero();
    }
  }
}
