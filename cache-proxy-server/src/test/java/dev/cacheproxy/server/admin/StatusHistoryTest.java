/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.cacheproxy.server.admin.StatusHistory.Counts;
import dev.cacheproxy.server.admin.StatusHistory.Sample;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The status history over a {@link SimpleMeterRegistry}, sampled by hand with a fake clock. */
class StatusHistoryTest {

  private static final Instant START = Instant.parse("2026-03-04T05:06:00Z");

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final FakeClock clock = new FakeClock(START);

  private void requests(String result, String rule, double count) {
    Counter.builder("cacheproxy.requests")
        .tag("kind", "blob")
        .tag("result", result)
        .tag("rule", rule)
        .register(registry)
        .increment(count);
  }

  private void served(String result, double bytes) {
    Counter.builder("cacheproxy.served.bytes")
        .tag("kind", "blob")
        .tag("result", result)
        .register(registry)
        .increment(bytes);
  }

  private void upstream(String registryHost, double bytes) {
    Counter.builder("cacheproxy.upstream.bytes")
        .tag("registry", registryHost)
        .register(registry)
        .increment(bytes);
  }

  private StatusHistory sampleAfter(StatusHistory history) {
    clock.advance(StatusHistory.INTERVAL);
    history.sample();
    return history;
  }

  @Test
  void sample_keepsWhatChangedInTheInterval_bySourceOfTheAnswer() {
    requests("hit", "hub", 5); // before start: in the totals, never in a sample
    StatusHistory history = new StatusHistory(registry, clock);

    requests("hit", "hub", 3);
    requests("revalidated", "hub", 1);
    requests("stale", "ghcr", 1);
    requests("miss", "hub", 4);
    requests("error", "none", 1);
    served("hit", 3000);
    served("stale", 500);
    served("miss", 7000);
    served("none", 100);
    upstream("docker.io", 6000);
    upstream("ghcr.io", 1000);
    sampleAfter(history);

    assertThat(history.samples())
        .containsExactly(
            new Sample(START.plus(StatusHistory.INTERVAL), new Counts(10, 5, 10_600, 3500, 7000)));
    assertThat(history.samples().getFirst().counts().hitRatio()).hasValue(0.5);
    assertThat(history.totals()).isEqualTo(new Counts(15, 10, 10_600, 3500, 7000));
    assertThat(history.startedAt()).isEqualTo(START);
  }

  @Test
  void hitRatio_perInterval_isEmptyWithoutRequests() {
    StatusHistory history = new StatusHistory(registry, clock);
    requests("miss", "hub", 4);
    sampleAfter(history);
    sampleAfter(history);
    requests("hit", "hub", 3);
    requests("miss", "hub", 1);
    sampleAfter(history);

    List<Sample> samples = history.samples();
    assertThat(samples).hasSize(3);
    assertThat(samples.get(0).counts().hitRatio()).hasValue(0.0);
    assertThat(samples.get(1).counts().hitRatio()).isEmpty();
    assertThat(samples.get(2).counts().hitRatio().getAsDouble()).isCloseTo(0.75, within(1e-9));
    Counts hour = StatusHistory.sum(samples);
    assertThat(hour.requests()).isEqualTo(8);
    assertThat(hour.hitRatio().getAsDouble()).isCloseTo(3.0 / 8, within(1e-9));
  }

  @Test
  void ringBuffer_keepsTheLastHour_oldestFirst_afterWrappingAround() {
    StatusHistory history = new StatusHistory(registry, clock);
    int total = StatusHistory.CAPACITY + 25;
    for (int i = 1; i <= total; i++) {
      requests("hit", "hub", i); // interval i has i requests, all hits
      sampleAfter(history);
    }

    List<Sample> samples = history.samples();
    assertThat(samples).hasSize(StatusHistory.CAPACITY);
    assertThat(samples.getFirst().counts().requests()).isEqualTo(26);
    assertThat(samples.getFirst().at())
        .isEqualTo(START.plus(StatusHistory.INTERVAL.multipliedBy(26)));
    assertThat(samples.getLast().counts().requests()).isEqualTo(total);
    assertThat(samples.getLast().at())
        .isEqualTo(START.plus(StatusHistory.INTERVAL.multipliedBy(total)));
    assertThat(samples).extracting(s -> s.counts().requests()).isSorted().doesNotHaveDuplicates();
    assertThat(StatusHistory.sum(samples).hitRatio()).hasValue(1.0);
    assertThat(StatusHistory.CAPACITY * StatusHistory.INTERVAL.toSeconds())
        .as("an hour of samples")
        .isEqualTo(3600);
  }

  @Test
  void sample_aRemovedCounter_countsAsNoTraffic_notNegative() {
    requests("hit", "hub", 10);
    StatusHistory history = new StatusHistory(registry, clock);
    registry.clear();
    sampleAfter(history);

    assertThat(history.samples().getFirst().counts()).isEqualTo(Counts.ZERO);
  }

  @Test
  void start_samplesOnADaemonThread_untilClosed() {
    try (StatusHistory history = StatusHistory.start(registry)) {
      assertThat(history.samples()).isEmpty();
      assertThat(Thread.getAllStackTraces().keySet())
          .anySatisfy(t -> {
            assertThat(t.getName()).isEqualTo("status-history");
            assertThat(t.isDaemon()).isTrue();
          });
      history.close();
      history.close(); // idempotent
    }
  }

  private static final class FakeClock extends Clock {
    private Instant now;

    FakeClock(Instant start) {
      this.now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
