/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.prewarm;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * One job of a {@link PrewarmScheduler}, its meters and its status. The status fields are written
 * by the job's run thread and read by anyone; {@code pending} is guarded by this object's monitor.
 */
final class JobState {
  final PrewarmJob job;
  final AtomicBoolean running = new AtomicBoolean();
  final Counter runsComplete;
  final Counter runsPartial;
  final Counter runsFailed;
  final Counter imagesWarmed;
  final Counter imagesFailed;
  final Counter imagesSkipped;
  final Counter bytes;
  final AtomicLong lastSuccess = new AtomicLong();
  final Gauge lastSuccessGauge;
  volatile @Nullable Instant nextRun;
  volatile @Nullable Instant lastRun;
  volatile @Nullable RunResult lastResult;
  volatile @Nullable String lastError;
  volatile @Nullable CompletableFuture<RunReport> current;
  RunTimer.@Nullable Cancellable pending;

  JobState(PrewarmJob job, MeterRegistry registry) {
    this.job = job;
    runsComplete = run(registry, RunResult.COMPLETE);
    runsPartial = run(registry, RunResult.PARTIAL);
    runsFailed = run(registry, RunResult.FAILED);
    imagesWarmed = image(registry, "warmed");
    imagesFailed = image(registry, "failed");
    imagesSkipped = image(registry, "skipped");
    bytes =
        Counter.builder("cacheproxy.prewarm.bytes")
            .description("Bytes pre-warm runs fetched from upstreams")
            .baseUnit("bytes")
            .tag("job", job.name())
            .register(registry);
    lastSuccessGauge =
        Gauge.builder(
                "cacheproxy.prewarm.last.success.seconds", lastSuccess, AtomicLong::doubleValue)
            .description(
                "When the last complete pre-warm run ended, in seconds since the epoch; 0 before one")
            .tag("job", job.name())
            .strongReference(true)
            .register(registry);
  }

  Counter runs(RunResult result) {
    return switch (result) {
      case COMPLETE -> runsComplete;
      case PARTIAL -> runsPartial;
      case FAILED -> runsFailed;
    };
  }

  private Counter run(MeterRegistry registry, RunResult result) {
    return Counter.builder("cacheproxy.prewarm.runs")
        .description("Pre-warm runs by how they ended")
        .tag("job", job.name())
        .tag("result", result.tag())
        .register(registry);
  }

  private Counter image(MeterRegistry registry, String result) {
    return Counter.builder("cacheproxy.prewarm.images")
        .description("Images of pre-warm runs: warmed, failed, or skipped when the window closed")
        .tag("job", job.name())
        .tag("result", result)
        .register(registry);
  }
}
