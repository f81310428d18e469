/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LogFormatTest {

  @Test
  void parse_acceptsBothNames_ignoringCaseAndBlanks() {
    assertThat(LogFormat.parse("text")).isEqualTo(LogFormat.TEXT);
    assertThat(LogFormat.parse("json")).isEqualTo(LogFormat.JSON);
    assertThat(LogFormat.parse("JSON")).isEqualTo(LogFormat.JSON);
    assertThat(LogFormat.parse(" Text ")).isEqualTo(LogFormat.TEXT);
  }

  @Test
  void parse_unknownName_namesTheValidValues() {
    assertThatThrownBy(() -> LogFormat.parse("logfmt"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'logfmt'")
        .hasMessageContaining("text")
        .hasMessageContaining("json");
    assertThatThrownBy(() -> LogFormat.parse("")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void toString_isTheConfigurationName() {
    assertThat(LogFormat.TEXT).hasToString("text");
    assertThat(LogFormat.JSON).hasToString("json");
    assertThat(LogFormat.parse(LogFormat.JSON.toString())).isEqualTo(LogFormat.JSON);
  }
}
