/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition that nothing signals, such as files appearing in a folder another process
 * writes, by checking it again every few milliseconds until a deadline.
 *
 * <p>Between checks it waits on a private monitor that nobody notifies, a bounded pause that needs
 * no sleep; the deadline makes every wait fail with a message instead of hanging the build.
 */
final class Poll {

  private static final Duration INTERVAL = Duration.ofMillis(20);
  private static final Object MONITOR = new Object();

  private Poll() {}

  /**
   * Returns as soon as {@code condition} holds.
   *
   * @param what the condition in words, for the failure message
   * @param context what else explains a failure, such as the end of a server's log
   * @throws AssertionError if it does not hold within {@code timeout}
   */
  static void until(
      String what, Duration timeout, BooleanSupplier condition, Supplier<String> context) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "timed out after " + timeout + " waiting for " + what + context.get());
      }
      pause();
    }
  }

  private static void pause() {
    synchronized (MONITOR) {
      try {
        MONITOR.wait(INTERVAL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while polling", e);
      }
    }
  }
}
