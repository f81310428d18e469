/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.rules.Rule;
import dev.cacheproxy.rules.RuleSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@link Readiness} decides, and how often it probes the disk. */
class ReadinessTest {

  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private CacheProxy proxy;

  @BeforeEach
  void start() {
    proxy =
        CacheProxy.builder()
            .rules(RuleSet.of(List.of(Rule.of("up", "up/*", "http://127.0.0.1:9/*"))))
            .dataDirectory(dir.resolve("data"))
            .build();
  }

  @AfterEach
  void stop() {
    proxy.close();
  }

  @Test
  void probe_runsAtMostOncePerInterval() throws Exception {
    Path checked = Files.writeString(dir.resolve("checked"), "a file, not a folder");
    Readiness readiness = new Readiness(proxy, checked, clock::instant, clock);

    assertThat(readiness.check().ready()).isFalse();

    Files.delete(checked);
    Files.createDirectory(checked);
    clock.advance(Readiness.PROBE_INTERVAL.minusMillis(1));
    assertThat(readiness.check().ready()).as("the last probe's result is reused").isFalse();

    clock.advance(Duration.ofMillis(1));
    assertThat(readiness.check().ready()).isTrue();
  }

  @Test
  void configuration_reportsWhenItWasLastLoaded() {
    AtomicReference<Instant> loadedAt = new AtomicReference<>(clock.instant());
    Readiness readiness = new Readiness(proxy, dir.resolve("data"), loadedAt::get, clock);
    assertThat(readiness.check().body().at("/checks/configuration/loadedAt").asText())
        .isEqualTo("2026-01-01T00:00:00Z");

    loadedAt.set(Instant.parse("2026-01-01T01:00:00Z"));

    assertThat(readiness.check().body().at("/checks/configuration/loadedAt").asText())
        .isEqualTo("2026-01-01T01:00:00Z");
  }

  /** A clock the test moves. */
  private static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant start) {
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
