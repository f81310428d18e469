/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks.load;

/**
 * A token bucket shared by all connections of one direction, in the GCRA form: each acquisition
 * books its bytes at the end of the schedule and waits until the booking is within the burst.
 */
final class TokenBucket {
  private final double nanosPerByte;
  private final long burstNanos;
  private long theoreticalArrival; // guarded by this

  TokenBucket(long bytesPerSecond, long burstBytes) {
    this.nanosPerByte = bytesPerSecond <= 0 ? 0 : 1e9 / bytesPerSecond;
    this.burstNanos = (long) (burstBytes * nanosPerByte);
    this.theoreticalArrival = System.nanoTime();
  }

  /** Returns whether the bucket has no cap, so {@link #acquire} never waits. */
  boolean unlimited() {
    return nanosPerByte == 0;
  }

  /** Takes {@code bytes} tokens, waiting until the schedule allows them. */
  void acquire(int bytes) {
    if (unlimited()) {
      return;
    }
    long wakeAt;
    synchronized (this) {
      long now = System.nanoTime();
      theoreticalArrival =
          Math.max(theoreticalArrival, now) + (long) Math.ceil(bytes * nanosPerByte);
      wakeAt = theoreticalArrival - burstNanos;
    }
    LinkEmulator.parkUntil(wakeAt);
  }
}
