/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.fetch;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Waits before a fill resumes a broken upstream download, so that a struggling upstream is not
 * hammered. Injected so that tests do not wait.
 */
@FunctionalInterface
interface ResumeBackoff {

  /** The wait before the first attempt, doubled for each further one. */
  Duration BASE = Duration.ofMillis(100);

  /** The longest wait. */
  Duration CAP = Duration.ofSeconds(5);

  /**
   * Waits before resume attempt {@code attempt} (1 for the first after a break).
   *
   * @throws InterruptedException if the waiting thread was interrupted
   */
  void pause(int attempt) throws InterruptedException;

  /** Sleeps for {@link #delay} with a thread-local random jitter. */
  static ResumeBackoff exponential() {
    return attempt -> Thread.sleep(delay(attempt, ThreadLocalRandom.current()));
  }

  /**
   * The wait before attempt {@code attempt}: {@code min(CAP, BASE × 2^(attempt-1))}, of which a
   * random part up to a half is taken off (jitter), so that fills broken by one upstream hiccup do
   * not all come back at the same moment.
   */
  static Duration delay(int attempt, RandomGenerator random) {
    int doublings = Math.min(Math.max(attempt, 1) - 1, 16);
    long millis = Math.min(CAP.toMillis(), BASE.toMillis() << doublings);
    long half = millis / 2;
    return Duration.ofMillis(millis - random.nextLong(half + 1));
  }
}
