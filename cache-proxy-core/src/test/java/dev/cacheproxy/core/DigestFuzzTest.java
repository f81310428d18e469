/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes {@link Digest#parse}, which reads digests from request paths, manifests and upstream
 * headers. Without {@code -P fuzz} it replays the seed corpus in {@code
 * DigestFuzzTestInputs/parse/}.
 *
 * <p>Properties: bad input fails only with {@link ProxyException} {@code DIGEST_INVALID} and a
 * short message; a digest that parses is {@code sha256} or {@code sha512} with lower-case hex of
 * the right length, is its own canonical text, parses back equal (also through the canonical
 * constructor), and hashes consistently with {@link Digest#of} and {@link Digest#matches}.
 */
class DigestFuzzTest {

  @FuzzTest
  void parse(byte[] input) {
    String text = new String(input, UTF_8);
    Digest digest;
    try {
      digest = Digest.parse(text);
    } catch (ProxyException e) {
      assertThat(e.code()).isEqualTo(OciErrorCode.DIGEST_INVALID);
      FuzzChecks.assertShort(e);
      return;
    }
    assertThat(digest.algorithm()).isIn("sha256", "sha512");
    assertThat(digest.hex())
        .hasSize(digest.algorithm().equals("sha256") ? 64 : 128)
        .matches("[0-9a-f]+");
    assertThat(digest.toString()).isEqualTo(text);
    Digest again = Digest.parse(digest.toString());
    assertThat(again).isEqualTo(digest).hasSameHashCodeAs(digest);
    assertThat(again.compareTo(digest)).isZero();
    assertThat(new Digest(digest.algorithm(), digest.hex())).isEqualTo(digest);
    assertThat(digest.of(input).matches(input)).isTrue();
    assertThat(digest.of(input).algorithm()).isEqualTo(digest.algorithm());
  }
}
