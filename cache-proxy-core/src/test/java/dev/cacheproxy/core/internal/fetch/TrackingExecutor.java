/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Runs fills on virtual threads and lets a test wait until they have finished. */
final class TrackingExecutor implements Executor, AutoCloseable {

  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
  private final AtomicInteger started = new AtomicInteger();
  private final Semaphore finished = new Semaphore(0);

  @Override
  public void execute(Runnable task) {
    started.incrementAndGet();
    threads.execute(() -> {
      try {
        task.run();
      } finally {
        finished.release();
      }
    });
  }

  /** How many tasks were started. */
  int started() {
    return started.get();
  }

  /** Waits (at most ten seconds) until {@code count} more tasks have finished. */
  void awaitFinished(int count) throws InterruptedException {
    assertThat(finished.tryAcquire(count, 10, TimeUnit.SECONDS))
        .as("%d fill(s) finished within 10 s", count)
        .isTrue();
  }

  @Override
  public void close() {
    threads.close();
  }
}
