/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.prewarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.core.CacheStatus;
import dev.cacheproxy.core.Digest;
import dev.cacheproxy.rules.RepositoryName;
import dev.cacheproxy.rules.Rule;
import dev.cacheproxy.rules.RuleSet;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrewarmSchedulerTest {

  private static final Instant EVENING = Instant.parse("2026-03-10T20:00:00Z");

  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(EVENING);
  private final FakeTimer timer = new FakeTimer(clock);
  private final MeterRegistry meters = new SimpleMeterRegistry();
  private PrewarmUpstream upstream;
  private CacheProxy proxy;
  private @Nullable PrewarmScheduler scheduler;

  @BeforeEach
  void start() throws IOException {
    upstream = new PrewarmUpstream();
    proxy =
        CacheProxy.builder()
            .rules(RuleSet.of(List.of(Rule.of("up", "up/*", upstream.source()))))
            .dataDirectory(dir)
            .meterRegistry(meters)
            .build();
  }

  @AfterEach
  void stop() {
    if (scheduler != null) {
      scheduler.close();
    }
    proxy.close();
    upstream.close();
  }

  private PrewarmScheduler scheduler(String cron, @Nullable String window, String... images) {
    PrewarmJob job =
        new PrewarmJob(
            "nightly",
            PrewarmJob.parseSchedule(cron),
            window == null ? null : Window.parse(window),
            ZoneOffset.UTC,
            List.of(images).stream().map(PrewarmImage::parse).toList(),
            List.of());
    scheduler = new PrewarmScheduler(List.of(job), proxy, clock, timer);
    return scheduler;
  }

  /**
   * Checks that every blob of {@code image} is cached. A warm returns once it has read the last
   * blob, possibly before the fill commits it; opening the blob again waits for the commit.
   */
  private void assertCached(String repository, PrewarmUpstream.Image image) {
    for (Digest blob : image.blobs()) {
      proxy.blob(RepositoryName.of(repository), blob).close();
      assertThat(proxy.blobInfo(RepositoryName.of(repository), blob).status())
          .as(blob.toString())
          .isEqualTo(CacheStatus.HIT);
    }
  }

  private double count(String name, String result) {
    return meters.get(name).tag("job", "nightly").tag("result", result).counter().count();
  }

  @Test
  void scheduledRun_warmsEveryImage_andCounts() {
    PrewarmUpstream.Image app = upstream.image("app", "v1", 3, 1);
    PrewarmUpstream.Image db = upstream.image("db", "v2", 2, 2);
    PrewarmScheduler scheduler = scheduler("0 2 * * *", null, "up/app:v1", "up/db:v2");
    scheduler.start();
    assertThat(timer.pending()).containsExactly(Instant.parse("2026-03-11T02:00:00Z"));

    timer.fireNext();
    RunReport report = scheduler.lastRun("nightly").orElseThrow().join();

    assertThat(report.result()).isEqualTo(RunResult.COMPLETE);
    assertThat(report.warmed()).hasSize(2);
    assertThat(report.bytesFetched()).isEqualTo(app.bytes() + db.bytes());
    assertCached("up/app", app);
    assertCached("up/db", db);
    assertThat(timer.pending()).containsExactly(Instant.parse("2026-03-12T02:00:00Z"));
    assertThat(count("cacheproxy.prewarm.runs", "complete")).isEqualTo(1);
    assertThat(count("cacheproxy.prewarm.runs", "partial")).isZero();
    assertThat(count("cacheproxy.prewarm.images", "warmed")).isEqualTo(2);
    assertThat(meters.get("cacheproxy.prewarm.bytes").tag("job", "nightly").counter().count())
        .isEqualTo(app.bytes() + db.bytes());
    assertThat(
            meters
                .get("cacheproxy.prewarm.last.success.seconds")
                .tag("job", "nightly")
                .gauge()
                .value())
        .isEqualTo(Instant.parse("2026-03-11T02:00:00Z").getEpochSecond());
    JobStatus status = scheduler.status().get(0);
    assertThat(status.nextRun()).isEqualTo(Instant.parse("2026-03-12T02:00:00Z"));
    assertThat(status.lastRun()).isEqualTo(Instant.parse("2026-03-11T02:00:00Z"));
    assertThat(status.lastResult()).isEqualTo(RunResult.COMPLETE);
    assertThat(status.lastError()).isNull();
    assertThat(status.running()).isFalse();
  }

  @Test
  void secondRun_fetchesNothingNew() {
    upstream.image("app", "v1", 2, 1);
    PrewarmScheduler scheduler = scheduler("0 2 * * *", null, "up/app:v1");

    scheduler.runNow("nightly").orElseThrow().join();
    RunReport again = scheduler.runNow("nightly").orElseThrow().join();

    assertThat(again.result()).isEqualTo(RunResult.COMPLETE);
    assertThat(again.bytesFetched()).isZero();
  }

  @Test
  void failingImage_doesNotStopTheOthers() {
    PrewarmUpstream.Image app = upstream.image("app", "v1", 2, 1);
    PrewarmUpstream.Image db = upstream.image("db", "v2", 2, 2);
    PrewarmScheduler scheduler =
        scheduler("0 2 * * *", null, "up/app:v1", "up/missing:v1", "up/db:v2");

    RunReport report = scheduler.runNow("nightly").orElseThrow().join();

    assertThat(report.result()).isEqualTo(RunResult.PARTIAL);
    assertThat(report.warmed())
        .extracting(PrewarmImage::toString)
        .containsExactly("up/app:v1", "up/db:v2");
    assertThat(report.failed()).singleElement().asString().startsWith("up/missing:v1: ");
    assertCached("up/app", app);
    assertCached("up/db", db);
    assertThat(count("cacheproxy.prewarm.images", "failed")).isEqualTo(1);
    assertThat(count("cacheproxy.prewarm.runs", "partial")).isEqualTo(1);
    assertThat(scheduler.status().get(0).lastError()).startsWith("up/missing:v1: ");
    assertThat(
            meters
                .get("cacheproxy.prewarm.last.success.seconds")
                .tag("job", "nightly")
                .gauge()
                .value())
        .isZero();
  }

  @Test
  void everyImageFailing_failsTheRun() {
    PrewarmScheduler scheduler = scheduler("0 2 * * *", null, "up/missing:v1");

    RunReport report = scheduler.runNow("nightly").orElseThrow().join();

    assertThat(report.result()).isEqualTo(RunResult.FAILED);
    assertThat(count("cacheproxy.prewarm.runs", "failed")).isEqualTo(1);
  }

  @Test
  void windowClosingDuringARun_skipsTheRemainingImages() {
    PrewarmUpstream.Image app = upstream.image("app", "v1", 2, 1);
    upstream.image("db", "v2", 2, 2);
    upstream.image("web", "v3", 2, 3);
    // The first image takes until the window closes at 03:00.
    upstream.beforeAnswer(path -> {
      if (path.startsWith("/v2/app/manifests/")) {
        clock.set(Instant.parse("2026-03-11T03:00:00Z"));
      }
    });
    PrewarmScheduler scheduler =
        scheduler("0 2 * * *", "01:00-03:00", "up/app:v1", "up/db:v2", "up/web:v3");
    scheduler.start();

    timer.fireNext();
    RunReport report = scheduler.lastRun("nightly").orElseThrow().join();

    assertThat(report.result()).isEqualTo(RunResult.PARTIAL);
    assertThat(report.warmed()).extracting(PrewarmImage::toString).containsExactly("up/app:v1");
    assertThat(report.skipped())
        .extracting(PrewarmImage::toString)
        .containsExactly("up/db:v2", "up/web:v3");
    assertCached("up/app", app);
    assertThat(upstream.hitsUnder("db")).isZero();
    assertThat(upstream.hitsUnder("web")).isZero();
    assertThat(count("cacheproxy.prewarm.images", "skipped")).isEqualTo(2);
    assertThat(scheduler.status().get(0).lastError()).contains("window 01:00-03:00");
  }

  @Test
  void runStartedOutsideTheWindow_skipsEverything() {
    upstream.image("app", "v1", 1, 1);
    PrewarmScheduler scheduler = scheduler("0 2 * * *", "01:00-03:00", "up/app:v1");

    RunReport report = scheduler.runNow("nightly").orElseThrow().join();

    assertThat(report.result()).isEqualTo(RunResult.FAILED);
    assertThat(report.skipped()).hasSize(1);
    assertThat(upstream.hitsUnder("app")).isZero();
  }

  @Test
  void sameJob_neverRunsTwiceAtOnce() throws Exception {
    upstream.image("app", "v1", 2, 1);
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    upstream.beforeAnswer(path -> {
      if (path.startsWith("/v2/app/manifests/")) {
        entered.countDown();
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    PrewarmScheduler scheduler = scheduler("* * * * *", null, "up/app:v1");
    scheduler.start();

    timer.fireNext();
    CompletableFuture<RunReport> first = scheduler.lastRun("nightly").orElseThrow();
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    timer.fireNext(); // due a minute later, while the first still runs
    assertThat(scheduler.runNow("nightly")).isEmpty();
    assertThat(scheduler.status().get(0).running()).isTrue();
    release.countDown();

    assertThat(first.join().result()).isEqualTo(RunResult.COMPLETE);
    assertThat(scheduler.lastRun("nightly").orElseThrow()).isSameAs(first);
    assertThat(count("cacheproxy.prewarm.runs", "complete")).isEqualTo(1);
    assertThat(timer.pending()).containsExactly(Instant.parse("2026-03-10T20:03:00Z"));
    assertThat(scheduler.runNow("nightly")).isPresent();
  }

  @Test
  void close_cancelsPlannedRuns_andRemovesTheGauge() {
    PrewarmScheduler scheduler = scheduler("0 2 * * *", null, "up/app:v1");
    scheduler.start();

    scheduler.close();

    assertThat(timer.pending()).isEmpty();
    assertThat(timer.closed()).isTrue();
    assertThat(scheduler.status().get(0).nextRun()).isNull();
    assertThat(meters.find("cacheproxy.prewarm.last.success.seconds").gauge()).isNull();
  }

  @Test
  void runNow_unknownJob() {
    PrewarmScheduler scheduler = scheduler("0 2 * * *", null, "up/app:v1");

    assertThatThrownBy(() -> scheduler.runNow("weekly"))
        .isInstanceOf(NoSuchElementException.class)
        .hasMessageContaining("weekly");
  }
}
