/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestIdTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "a",
        "3f9a1c0d2b7e4a65",
        "0f8fad5b-d9cb-469f-a165-70867728950e",
        "trace_1.2-X",
        "0123456789012345678901234567890123456789012345678901234567890123"
      })
  void acceptOrGenerate_saneClientId_isKept(String id) {
    assertThat(RequestId.isAcceptable(id)).isTrue();
    assertThat(RequestId.acceptOrGenerate(id)).isEqualTo(id);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "has space",
        "quote\"d",
        "new\nline",
        "tab\t",
        "semi;colon",
        "slash/",
        "caf\u00e9",
        "01234567890123456789012345678901234567890123456789012345678901234"
      })
  void acceptOrGenerate_otherClientId_isReplaced(String id) {
    assertThat(RequestId.isAcceptable(id)).isFalse();
    assertThat(RequestId.acceptOrGenerate(id)).isNotEqualTo(id).matches("[0-9a-f]{16}");
  }

  @Test
  void acceptOrGenerate_noClientId_generates() {
    assertThat(RequestId.isAcceptable(null)).isFalse();
    assertThat(RequestId.acceptOrGenerate(null)).matches("[0-9a-f]{16}");
  }

  @Test
  void generate_isSixteenHexDigits_andVaries() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String id = RequestId.generate();
      assertThat(id).matches("[0-9a-f]{16}");
      assertThat(RequestId.isAcceptable(id)).isTrue();
      ids.add(id);
    }
    assertThat(ids).hasSize(1000);
  }
}
