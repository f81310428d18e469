/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ValueTypesTest {

  private static final String HEX = "a".repeat(64);

  @Test
  void digest_parse_roundTrips() {
    Digest d = Digest.parse("sha256:" + HEX);
    assertThat(d.algorithm()).isEqualTo("sha256");
    assertThat(d.toString()).isEqualTo("sha256:" + HEX);
    assertThat(Digest.parse("sha512:" + "b".repeat(128)).algorithm()).isEqualTo("sha512");
  }

  static List<String> invalidDigests() {
    return List.of(
        "sha256:abc",
        "sha256:" + "A" + "a",
        "md5:abcd",
        "sha256",
        ":",
        "sha256:../../etc/passwd",
        "sha256:ggg",
        "sha256:" + "A".repeat(64),
        "SHA256:" + "a".repeat(64),
        "sha256:" + "a".repeat(63),
        "sha256:" + "a".repeat(65),
        "sha256:" + "a".repeat(64) + "\n",
        "sha256:" + "a".repeat(64) + "\u0000",
        "sha256: " + "a".repeat(64),
        "sha256:" + "a".repeat(128),
        "sha512:" + "a".repeat(64),
        "sha384:" + "a".repeat(96),
        "sha256+b64:" + "a".repeat(43),
        "md5:" + "a".repeat(32),
        "sha256:sha256:" + "a".repeat(64),
        "sha256::" + "a".repeat(64),
        ":" + "a".repeat(64));
  }

  @ParameterizedTest
  @MethodSource("invalidDigests")
  void digest_parse_invalid_isDigestInvalid(String text) {
    assertThatThrownBy(() -> Digest.parse(text))
        .isInstanceOf(ProxyException.class)
        .extracting(e -> ((ProxyException) e).code())
        .isEqualTo(OciErrorCode.DIGEST_INVALID);
  }

  @Test
  void digest_sha256_matchesKnownVector() {
    Digest d = Digest.sha256("abc".getBytes(StandardCharsets.UTF_8));
    assertThat(d.hex())
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(d.matches("abc".getBytes(StandardCharsets.UTF_8))).isTrue();
    assertThat(d.matches("abd".getBytes(StandardCharsets.UTF_8))).isFalse();
  }

  @Test
  void reference_parse_distinguishesTagAndDigest() {
    assertThat(Reference.parse("1.27-alpine")).isEqualTo(new Tag("1.27-alpine"));
    assertThat(Reference.parse("sha256:" + HEX)).isInstanceOf(Digest.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        ".hidden",
        "-dash",
        "a/b",
        "tag with space",
        "..",
        "../etc",
        "a\u0000",
        "a\n",
        "t\u00e4g",
        "a%2e",
        "a;b",
        "a\\b",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
            + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      })
  void tag_invalid_refused(String text) {
    assertThatThrownBy(() -> Tag.parse(text)).isInstanceOf(ProxyException.class);
  }

  @Test
  void tag_tooLong_refused() {
    assertThat(Tag.isValid("a".repeat(128))).isTrue();
    assertThat(Tag.isValid("a".repeat(129))).isFalse();
  }

  @Test
  void byteRange_parse_forms() {
    assertThat(ByteRange.parse("bytes=0-99", 1000)).contains(new ByteRange(0, 99));
    assertThat(ByteRange.parse("bytes=900-", 1000)).contains(new ByteRange(900, 999));
    assertThat(ByteRange.parse("bytes=-100", 1000)).contains(new ByteRange(900, 999));
    assertThat(ByteRange.parse("bytes=990-5000", 1000)).contains(new ByteRange(990, 999));
    assertThat(ByteRange.parse(null, 1000)).isEmpty();
    assertThat(ByteRange.parse("bytes=0-1,5-6", 1000)).isEmpty();
    assertThat(ByteRange.parse("items=0-1", 1000)).isEmpty();
  }

  @Test
  void byteRange_unsatisfiable_isRangeInvalid() {
    assertThatThrownBy(() -> ByteRange.parse("bytes=1000-", 1000))
        .isInstanceOf(ProxyException.class)
        .extracting(e -> ((ProxyException) e).code())
        .isEqualTo(OciErrorCode.RANGE_INVALID);
    assertThatThrownBy(() -> ByteRange.parse("bytes=-0", 1000)).isInstanceOf(ProxyException.class);
    assertThatThrownBy(() -> ByteRange.parse("bytes=0-", 0)).isInstanceOf(ProxyException.class);
    assertThatThrownBy(() -> ByteRange.parse("bytes=99999999999999999999-", 1000))
        .isInstanceOf(ProxyException.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "bytes=5-2",
        "bytes=0-1,5-6",
        "bytes=0-1, 5-6",
        "bytes=-",
        "bytes=",
        "bytes",
        "bytes=abc-def",
        "bytes=-5-",
        "bytes=+1-2",
        "bytes=0x10-",
        "bytes=\u0661-2",
        "bytes 0-1",
        "items=0-1",
        "=0-1",
        "garbage",
        "bytes=0-1;x=y",
      })
  void byteRange_malformed_isIgnored(String header) {
    assertThat(ByteRange.parse(header, 1000)).as(header).isEmpty();
  }

  @Test
  void byteRange_hostileSizes() {
    assertThat(ByteRange.parse("bytes=0-" + "9".repeat(25), 1000)).contains(new ByteRange(0, 999));
    assertThat(ByteRange.parse("bytes=-" + "9".repeat(25), 1000)).contains(new ByteRange(0, 999));
    assertThat(ByteRange.parse("BYTES=1-2", 1000)).contains(new ByteRange(1, 2));
    assertThat(ByteRange.parse("bytes=" + "0".repeat(200) + "-1", 1000)).isEmpty();
    assertThat(ByteRange.parse("bytes=-5", 0)).isEmpty();
  }

  @Test
  void credentials_toString_hidesPassword() {
    assertThat(new dev.cacheproxy.core.spi.Credentials("alice", "s3cret").toString())
        .doesNotContain("s3cret")
        .contains("alice");
  }
}
