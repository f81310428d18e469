/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Coalescing of concurrent calls per key, and the joins it reports. */
class SingleFlightTest {

  @Test
  void run_callerArrivingDuringACall_joinsItAndIsReported() throws Exception {
    CountDownLatch joined = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch running = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    SingleFlight<String> flight = new SingleFlight<>(joined::countDown);

    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<String> first =
          pool.submit(() ->
              flight.run(
                  "k",
                  () -> {
                    calls.incrementAndGet();
                    running.countDown();
                    try {
                      release.await();
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                    return "v";
                  }));
      assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
      Future<String> second = pool.submit(() -> flight.run("k", () -> "other"));
      assertThat(joined.await(10, TimeUnit.SECONDS)).isTrue();
      release.countDown();

      assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("v");
      assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("v");
    }
    assertThat(calls).hasValue(1);
  }

  @Test
  void run_sequentialCalls_neverJoin() {
    AtomicInteger joins = new AtomicInteger();
    SingleFlight<String> flight = new SingleFlight<>(joins::incrementAndGet);

    flight.run("k", () -> "a");
    flight.run("k", () -> "b");

    assertThat(joins).hasValue(0);
  }
}
