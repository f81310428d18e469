/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.fetch;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

/**
 * The counters of blob fills: {@code cacheproxy.fills} by result ({@code complete}: the blob is in
 * the store; {@code failed}: the upstream or the store failed, including fills whose clients went
 * on from the upstream without caching) and {@code cacheproxy.singleflight.joins{kind=blob}}, the
 * requests that joined a fill in flight instead of starting one. Thread-safe; the counters are
 * resolved once.
 */
final class FillMetrics {

  /** Counters that go nowhere. */
  static final FillMetrics NONE = new FillMetrics(new CompositeMeterRegistry());

  private final Counter complete;
  private final Counter failed;
  private final Counter joins;

  FillMetrics(MeterRegistry registry) {
    this.complete = fills(registry, "complete");
    this.failed = fills(registry, "failed");
    this.joins =
        Counter.builder("cacheproxy.singleflight.joins")
            .description("Requests that joined an upstream fetch in flight instead of starting one")
            .tag("kind", "blob")
            .register(registry);
  }

  private static Counter fills(MeterRegistry registry, String result) {
    return Counter.builder("cacheproxy.fills")
        .description("Blob fills that ended")
        .tag("result", result)
        .register(registry);
  }

  /** Counts a fill that stored its blob. */
  void completed() {
    complete.increment();
  }

  /** Counts a fill that ended without storing its blob. */
  void failed() {
    failed.increment();
  }

  /** Counts a request that joined a fill in flight. */
  void joined() {
    joins.increment();
  }
}
