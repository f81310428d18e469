/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.prewarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.Tag;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class PrewarmJobTest {

  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  private static PrewarmJob job(String cron, @Nullable String window, ZoneId zone) {
    return new PrewarmJob(
        "j",
        PrewarmJob.parseSchedule(cron),
        window == null ? null : Window.parse(window),
        zone,
        List.of(PrewarmImage.parse("up/app:v1")),
        List.of());
  }

  private static Instant berlin(int month, int day, int hour, int minute) {
    return ZonedDateTime.of(2026, month, day, hour, minute, 0, 0, BERLIN).toInstant();
  }

  @Test
  void nextRun_inTheJobsZone() {
    Instant after = Instant.parse("2026-03-10T12:00:00Z");

    assertThat(job("0 2 * * *", null, ZoneOffset.UTC).nextRun(after))
        .hasValue(Instant.parse("2026-03-11T02:00:00Z"));
    assertThat(job("0 2 * * *", null, BERLIN).nextRun(after))
        .hasValue(Instant.parse("2026-03-11T01:00:00Z"));
  }

  @Test
  void nextRun_springForward_skipsTheMissingHour() {
    // On 2026-03-29 Berlin clocks jump from 02:00 to 03:00: 02:00 does not exist that day.
    Instant after = berlin(3, 28, 12, 0);

    assertThat(job("0 2 * * *", null, BERLIN).nextRun(after))
        .hasValue(ZonedDateTime.of(2026, 3, 30, 2, 0, 0, 0, BERLIN).toInstant());
    assertThat(job("0 3 * * *", null, BERLIN).nextRun(after))
        .hasValue(Instant.parse("2026-03-29T01:00:00Z"));
    assertThat(job("0 1 * * *", null, BERLIN).nextRun(after))
        .hasValue(Instant.parse("2026-03-29T00:00:00Z"));
  }

  @Test
  void nextRun_fallBack_runsOnce() {
    // On 2026-10-25 Berlin goes through 02:00-03:00 twice.
    PrewarmJob job = job("30 2 * * *", null, BERLIN);

    Instant first = job.nextRun(berlin(10, 24, 12, 0)).orElseThrow();
    Instant second = job.nextRun(first).orElseThrow();

    assertThat(first).isEqualTo(Instant.parse("2026-10-25T00:30:00Z"));
    assertThat(second).isAfter(Instant.parse("2026-10-26T00:00:00Z"));
  }

  @Test
  void nextRun_onlyInsideTheWindow_acrossMidnight() {
    PrewarmJob job = job("0 * * * *", "22:00-04:00", BERLIN);

    assertThat(job.nextRun(berlin(3, 10, 12, 0))).hasValue(berlin(3, 10, 22, 0));
    assertThat(job.nextRun(berlin(3, 10, 23, 0))).hasValue(berlin(3, 11, 0, 0));
    assertThat(job.nextRun(berlin(3, 11, 3, 0))).hasValue(berlin(3, 11, 22, 0));
  }

  @Test
  void nextRun_neverInsideTheWindow_isEmpty() {
    assertThat(job("0 12 * * *", "01:00-05:00", ZoneOffset.UTC).nextRun(Instant.EPOCH)).isEmpty();
    assertThat(job("0 0 30 2 *", null, ZoneOffset.UTC).nextRun(Instant.EPOCH)).isEmpty();
  }

  @Test
  void nextRun_rareSchedule_isFound() {
    assertThat(job("0 2 29 2 *", "01:00-05:00", ZoneOffset.UTC).nextRun(berlin(1, 1, 0, 0)))
        .hasValue(Instant.parse("2028-02-29T02:00:00Z"));
  }

  @Test
  void deadline_isTheCloseOfTheWindowHoldingTheStart() {
    PrewarmJob job = job("0 23 * * *", "22:00-04:00", BERLIN);

    assertThat(job.deadline(berlin(3, 10, 23, 0))).hasValue(berlin(3, 11, 4, 0));
    assertThat(job.deadline(berlin(3, 10, 12, 0))).hasValue(berlin(3, 10, 12, 0));
    assertThat(job("0 23 * * *", null, BERLIN).deadline(berlin(3, 10, 23, 0))).isEmpty();
  }

  @Test
  void parseSchedule_refusesOtherThanFiveFields() {
    assertThatThrownBy(() -> PrewarmJob.parseSchedule("0 0 2 * * ?"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("6 parts");
    assertThat(PrewarmJob.parseSchedule("0 2 * * 1-5").asString()).isEqualTo("0 2 * * 1-5");
  }

  @Test
  void image_parse_tagAndDigest() {
    String digest = "sha256:" + "a".repeat(64);

    PrewarmImage tagged = PrewarmImage.parse("hub/library/nginx:1.27");
    PrewarmImage pinned = PrewarmImage.parse("k8s/pause@" + digest);

    assertThat(tagged.repository().value()).isEqualTo("hub/library/nginx");
    assertThat(tagged.reference()).isEqualTo(Tag.parse("1.27"));
    assertThat(tagged).hasToString("hub/library/nginx:1.27");
    assertThat(pinned.reference()).isEqualTo(Digest.parse(digest));
    assertThat(pinned).hasToString("k8s/pause@" + digest);
    assertThatThrownBy(() -> PrewarmImage.parse("hub/library/nginx"))
        .hasMessageContaining("names no tag or digest");
  }

  @Test
  void job_refusesNoImages() {
    assertThatThrownBy(() ->
            new PrewarmJob(
                "j",
                PrewarmJob.parseSchedule("0 2 * * *"),
                null,
                ZoneOffset.UTC,
                List.of(),
                List.of()))
        .hasMessageContaining("lists no images");
  }
}
