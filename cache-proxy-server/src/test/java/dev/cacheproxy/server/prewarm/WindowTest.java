/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.prewarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class WindowTest {

  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  @Test
  void contains_sameDay_startInsideEndOutside() {
    Window window = Window.parse("01:00-05:00");

    assertThat(window.crossesMidnight()).isFalse();
    assertThat(window.contains(LocalTime.of(1, 0))).isTrue();
    assertThat(window.contains(LocalTime.of(4, 59))).isTrue();
    assertThat(window.contains(LocalTime.of(5, 0))).isFalse();
    assertThat(window.contains(LocalTime.of(0, 59))).isFalse();
    assertThat(window.contains(LocalTime.of(23, 0))).isFalse();
  }

  @Test
  void contains_acrossMidnight() {
    Window window = Window.parse("22:00-04:00");

    assertThat(window.crossesMidnight()).isTrue();
    assertThat(window.contains(LocalTime.of(22, 0))).isTrue();
    assertThat(window.contains(LocalTime.of(23, 30))).isTrue();
    assertThat(window.contains(LocalTime.MIDNIGHT)).isTrue();
    assertThat(window.contains(LocalTime.of(3, 59))).isTrue();
    assertThat(window.contains(LocalTime.of(4, 0))).isFalse();
    assertThat(window.contains(LocalTime.NOON)).isFalse();
    assertThat(window.contains(LocalTime.of(21, 59))).isFalse();
  }

  @Test
  void closes_acrossMidnight_isTheNextMorning() {
    Window window = Window.parse("22:00-04:00");

    assertThat(window.closes(ZonedDateTime.of(2026, 3, 28, 23, 30, 0, 0, BERLIN)))
        .isEqualTo(ZonedDateTime.of(2026, 3, 29, 4, 0, 0, 0, BERLIN));
    assertThat(window.closes(ZonedDateTime.of(2026, 3, 29, 1, 0, 0, 0, BERLIN)))
        .isEqualTo(ZonedDateTime.of(2026, 3, 29, 4, 0, 0, 0, BERLIN));
  }

  @Test
  void closes_sameDay() {
    assertThat(
            Window.parse("01:00-05:00").closes(ZonedDateTime.of(2026, 3, 29, 1, 0, 0, 0, BERLIN)))
        .isEqualTo(ZonedDateTime.of(2026, 3, 29, 5, 0, 0, 0, BERLIN));
  }

  @Test
  void parse_writesBack() {
    assertThat(Window.parse(" 22:00 - 04:30 ")).hasToString("22:00-04:30");
  }

  @Test
  void parse_refusesMalformedAndEmptyWindows() {
    assertThatThrownBy(() -> Window.parse("01:00"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("such as 01:00-05:00");
    assertThatThrownBy(() -> Window.parse("1am-5am"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'1am' in window '1am-5am' is not a time");
    assertThatThrownBy(() -> Window.parse("25:00-05:00"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Window.parse("03:00-03:00"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is empty");
  }
}
