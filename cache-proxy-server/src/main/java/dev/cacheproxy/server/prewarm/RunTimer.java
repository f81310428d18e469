/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.prewarm;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task after a delay, for {@link PrewarmScheduler}. Tests pass a fake that runs the tasks
 * when told, so they need not wait for a schedule.
 */
public interface RunTimer extends AutoCloseable {

  /** A scheduled task that can be cancelled. */
  @FunctionalInterface
  interface Cancellable {
    /** Cancels the task if it has not started; does nothing otherwise. */
    void cancel();
  }

  /**
   * Runs {@code task} once after {@code delay}. The task must return quickly: it starts the real
   * work elsewhere.
   */
  Cancellable schedule(Runnable task, Duration delay);

  /** Cancels every task not started yet and stops the timer. */
  @Override
  void close();

  /** A timer on one daemon thread, {@code prewarm-timer}. */
  static RunTimer system() {
    ScheduledExecutorService executor =
        Executors.newSingleThreadScheduledExecutor(task -> {
          Thread thread = new Thread(task, "prewarm-timer");
          thread.setDaemon(true);
          return thread;
        });
    return new RunTimer() {
      @Override
      public Cancellable schedule(Runnable task, Duration delay) {
        ScheduledFuture<?> future =
            executor.schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
        return () -> future.cancel(false);
      }

      @Override
      public void close() {
        executor.shutdownNow();
      }
    };
  }
}
