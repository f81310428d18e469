/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks.load;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A sampler of the resident set size of a system's processes, the fallback for the peak when the
 * kernel will not reset peaks ({@link ProcessStats#peakResettable()} is false).
 *
 * <p>Start it with {@link ProcessStats#sample}. It samples once at the start, then every period on
 * a virtual (daemon) thread, and once more on {@link #close()}. Peaks shorter than the period may
 * be missed.
 *
 * <p>Thread-safe: the maximum is an {@link AtomicLong} updated by the sampling thread and by {@code
 * close()}; a latch stops the sampling thread, and {@code close()} joins it.
 */
public final class RssSampler implements AutoCloseable {

  private final ProcessStats stats;
  private final AtomicLong max = new AtomicLong();
  private final CountDownLatch stop = new CountDownLatch(1);
  private final Thread thread;

  private RssSampler(ProcessStats stats, Duration every) {
    this.stats = stats;
    sampleNow();
    long periodNanos = every.toNanos();
    this.thread =
        Thread.ofVirtual()
            .name("rss-sampler-" + stats.pid())
            .start(() -> {
              try {
                while (!stop.await(periodNanos, TimeUnit.NANOSECONDS)) {
                  sampleNow();
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
  }

  static RssSampler start(ProcessStats stats, Duration every) {
    if (every.isNegative() || every.isZero()) {
      throw new IllegalArgumentException("sampling period must be positive: " + every);
    }
    return new RssSampler(stats, every);
  }

  /** The highest sum of resident set sizes seen so far, in bytes. */
  public long maxRssBytes() {
    return max.get();
  }

  /** Stops sampling after one last sample; {@link #maxRssBytes()} stays readable. */
  @Override
  public void close() {
    stop.countDown();
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sampleNow();
  }

  private void sampleNow() {
    long rss = stats.rssBytes();
    max.accumulateAndGet(rss, Math::max);
  }
}
