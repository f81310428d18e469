/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.prewarm;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A scheduled pre-warm: which images to pull into the cache, on which cron schedule, and inside
 * which daily time window.
 *
 * @param name names the job in logs, meters and status; unique in a configuration
 * @param schedule when runs start, a UNIX cron expression of 5 fields ({@link #parseSchedule})
 * @param window when set, runs start only inside it and start no new image after it closes
 * @param zone the time zone of the schedule and the window
 * @param images the images to warm, in order
 * @param platforms the platforms to warm from an index ({@code linux/amd64}); empty for all
 */
public record PrewarmJob(
    String name,
    Cron schedule,
    @Nullable Window window,
    ZoneId zone,
    List<PrewarmImage> images,
    List<String> platforms) {

  private static final CronParser UNIX_CRON =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  /**
   * More executions than two days of a schedule running every minute: after that many, a schedule
   * has gone through at least one whole day of its runs, and the times of day repeat.
   */
  private static final int MAX_STEPS = 2 * 24 * 60 + 1;

  /** Validates the job and copies the lists. */
  public PrewarmJob {
    if (name.isBlank()) {
      throw new IllegalArgumentException("a pre-warm job needs a name");
    }
    images = List.copyOf(images);
    platforms = List.copyOf(platforms);
    if (images.isEmpty()) {
      throw new IllegalArgumentException("pre-warm job '" + name + "' lists no images");
    }
  }

  /**
   * Parses a UNIX cron expression of 5 fields: minute, hour, day of month, month, day of week, as
   * in {@code 0 2 * * *}.
   *
   * @throws IllegalArgumentException with the parser's message
   */
  public static Cron parseSchedule(String expression) {
    return UNIX_CRON.parse(expression.trim()).validate();
  }

  /**
   * The first run after {@code after}: the next execution of the schedule whose local time lies
   * inside the window. Empty when the schedule never runs inside the window, or never runs at all
   * (February 30th). A local time the schedule names that does not exist on a day (skipped by a
   * daylight saving change) has no run that day.
   */
  public Optional<Instant> nextRun(Instant after) {
    ExecutionTime times = ExecutionTime.forCron(schedule);
    ZonedDateTime t = after.atZone(zone);
    for (int i = 0; i < MAX_STEPS; i++) {
      Optional<ZonedDateTime> next = times.nextExecution(t);
      if (next.isEmpty() || !next.get().isAfter(t)) {
        return Optional.empty();
      }
      t = next.get();
      if (window == null || window.contains(t.toLocalTime())) {
        return Optional.of(t.toInstant());
      }
    }
    return Optional.empty();
  }

  /**
   * When a run started at {@code start} must stop starting images: the close of the window holding
   * {@code start}, or {@code start} itself when the start lies outside the window. Empty when the
   * job has no window.
   */
  public Optional<Instant> deadline(Instant start) {
    if (window == null) {
      return Optional.empty();
    }
    ZonedDateTime local = start.atZone(zone);
    return Optional.of(
        window.contains(local.toLocalTime()) ? window.closes(local).toInstant() : start);
  }

  /** The schedule as written in cron: {@code 0 2 * * *}. */
  public String scheduleText() {
    return schedule.asString();
  }
}
