/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.prewarm;

import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;

/**
 * A daily time window such as {@code 01:00-05:00}, in the local time of a job's zone. The start is
 * inside the window, the end is not. A window whose end comes before its start crosses midnight:
 * {@code 22:00-04:00} holds 23:30 and 03:00 but not 12:00.
 *
 * @param start the first time inside the window
 * @param end the first time after the window
 */
public record Window(LocalTime start, LocalTime end) {

  /** Refuses an empty window (start equal to end). */
  public Window {
    if (start.equals(end)) {
      throw new IllegalArgumentException(
          "window " + start + "-" + end + " is empty: its start and end must differ");
    }
  }

  /**
   * Parses {@code HH:MM-HH:MM}.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static Window parse(String text) {
    String[] parts = text.trim().split("-", -1);
    if (parts.length != 2) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a window; write start-end in 24-hour time, such as 01:00-05:00");
    }
    return new Window(time(parts[0], text), time(parts[1], text));
  }

  private static LocalTime time(String part, String text) {
    try {
      return LocalTime.parse(part.trim());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "'"
              + part.trim()
              + "' in window '"
              + text
              + "' is not a time; write HH:MM in 24-hour time, such as 01:00-05:00",
          e);
    }
  }

  /** Whether the window crosses midnight, as {@code 22:00-04:00} does. */
  public boolean crossesMidnight() {
    return end.isBefore(start);
  }

  /** Whether {@code time} lies inside the window: at or after the start and before the end. */
  public boolean contains(LocalTime time) {
    return crossesMidnight()
        ? !time.isBefore(start) || time.isBefore(end)
        : !time.isBefore(start) && time.isBefore(end);
  }

  /**
   * When the window that holds {@code time} closes: the first time after {@code time}, in its zone,
   * whose wall-clock time is the end of the window. Only meaningful when {@link #contains} holds
   * for {@code time}.
   */
  public ZonedDateTime closes(ZonedDateTime time) {
    ZonedDateTime end = ZonedDateTime.of(time.toLocalDate(), this.end, time.getZone());
    return end.isAfter(time)
        ? end
        : ZonedDateTime.of(time.toLocalDate().plusDays(1), this.end, time.getZone());
  }

  /** The window as written: {@code 01:00-05:00}. */
  @Override
  public String toString() {
    return start + "-" + end;
  }
}
