/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.admin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last hour of the cache's traffic, for the status page: every {@link #INTERVAL} it reads the
 * counters {@code cacheproxy.requests} (by result), {@code cacheproxy.served.bytes} (by result) and
 * {@code cacheproxy.upstream.bytes} from the proxy's registry and keeps what changed since the
 * sample before, the last {@link #CAPACITY} samples in a ring buffer. Requests and bytes whose
 * result is {@code hit}, {@code revalidated} or {@code stale} were served from the cache.
 *
 * <p>Concurrency: {@link #sample()}, {@link #samples()} and {@link #totals()} may be called from
 * any thread; the ring buffer and the previous totals are guarded by the object's lock. {@link
 * #start} samples on one daemon thread of its own, which {@link #close()} stops (thread-safe and
 * idempotent).
 */
public final class StatusHistory implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StatusHistory.class);

  /** How often {@link #start} samples. */
  public static final Duration INTERVAL = Duration.ofSeconds(10);

  /** How many samples are kept: one hour at {@link #INTERVAL}. */
  public static final int CAPACITY = 360;

  /** The {@code result} tags of requests and bytes served from the cache. */
  static final Set<String> FROM_CACHE = Set.of("hit", "revalidated", "stale");

  /**
   * Counts of traffic, over an interval or since start.
   *
   * @param requests the requests answered or failed ({@code cacheproxy.requests})
   * @param cachedRequests those of them served from the cache (hit, revalidated, stale)
   * @param servedBytes the bytes sent to clients ({@code cacheproxy.served.bytes})
   * @param cachedBytes those of them served from the cache: the bytes saved upstream
   * @param upstreamBytes the blob bytes fetched from upstreams ({@code cacheproxy.upstream.bytes})
   */
  public record Counts(
      long requests, long cachedRequests, long servedBytes, long cachedBytes, long upstreamBytes) {

    /** No traffic. */
    public static final Counts ZERO = new Counts(0, 0, 0, 0, 0);

    /** The share of requests served from the cache, empty when there were none. */
    public OptionalDouble hitRatio() {
      return requests == 0
          ? OptionalDouble.empty()
          : OptionalDouble.of(Math.min(1.0, (double) cachedRequests / requests));
    }

    /** What changed from {@code before} to these counts; never negative (a reset counts as 0). */
    Counts minus(Counts before) {
      return new Counts(
          Math.max(0, requests - before.requests),
          Math.max(0, cachedRequests - before.cachedRequests),
          Math.max(0, servedBytes - before.servedBytes),
          Math.max(0, cachedBytes - before.cachedBytes),
          Math.max(0, upstreamBytes - before.upstreamBytes));
    }

    /** These counts and {@code other} added up. */
    Counts plus(Counts other) {
      return new Counts(
          requests + other.requests,
          cachedRequests + other.cachedRequests,
          servedBytes + other.servedBytes,
          cachedBytes + other.cachedBytes,
          upstreamBytes + other.upstreamBytes);
    }
  }

  /**
   * One interval's traffic.
   *
   * @param at when the interval ended
   * @param counts what happened in it
   */
  public record Sample(Instant at, Counts counts) {}

  private final MeterRegistry registry;
  private final Clock clock;
  private final Instant startedAt;
  private final AtomicBoolean closed = new AtomicBoolean();
  private @Nullable ScheduledExecutorService sampler;

  // Guarded by this.
  private final Sample[] ring = new Sample[CAPACITY];
  private int next;
  private int size;
  private Counts last;

  /**
   * A history of {@code registry}'s counters that samples only when {@link #sample()} is called.
   */
  StatusHistory(MeterRegistry registry, Clock clock) {
    this.registry = registry;
    this.clock = clock;
    this.startedAt = clock.instant();
    this.last = read();
  }

  /**
   * Starts a history of {@code registry} (the proxy's {@code meterRegistry()}), sampling every
   * {@link #INTERVAL} on a daemon thread until {@link #close()}.
   */
  public static StatusHistory start(MeterRegistry registry) {
    StatusHistory history = new StatusHistory(registry, Clock.systemUTC());
    ScheduledExecutorService sampler =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("status-history").factory());
    history.sampler = sampler;
    long millis = INTERVAL.toMillis();
    ScheduledFuture<?> unused =
        sampler.scheduleAtFixedRate(history::sampleQuietly, millis, millis, TimeUnit.MILLISECONDS);
    return history;
  }

  /** When this history started: the status page's uptime counts from here. */
  public Instant startedAt() {
    return startedAt;
  }

  /** Reads the counters now and records what changed since the previous sample. */
  public void sample() {
    Counts now = read();
    Instant at = clock.instant();
    synchronized (this) {
      ring[next] = new Sample(at, now.minus(last));
      next = (next + 1) % CAPACITY;
      size = Math.min(size + 1, CAPACITY);
      last = now;
    }
  }

  /** The samples kept, oldest first: at most {@link #CAPACITY}. */
  public synchronized List<Sample> samples() {
    List<Sample> list = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      Sample sample = ring[Math.floorMod(next - size + i, CAPACITY)];
      if (sample != null) {
        list.add(sample);
      }
    }
    return List.copyOf(list);
  }

  /** The counters' totals now, since the proxy started. */
  public Counts totals() {
    return read();
  }

  /** The samples kept, added up: the traffic of the last hour (or less, soon after start). */
  public static Counts sum(Collection<Sample> samples) {
    Counts total = Counts.ZERO;
    for (Sample sample : samples) {
      total = total.plus(sample.counts());
    }
    return total;
  }

  /** Stops sampling. Calling it again does nothing. */
  @Override
  public void close() {
    ScheduledExecutorService s = sampler;
    if (closed.compareAndSet(false, true) && s != null) {
      s.shutdownNow();
    }
  }

  private void sampleQuietly() {
    try {
      sample();
    } catch (RuntimeException e) {
      // a failed sample must not end the schedule
      LOG.warn("cannot sample the status history: {}", e.toString(), e);
    }
  }

  private static boolean fromCache(Counter counter) {
    String result = counter.getId().getTag("result");
    return result != null && FROM_CACHE.contains(result);
  }

  private Counts read() {
    long requests = 0;
    long cachedRequests = 0;
    for (Counter c : registry.find("cacheproxy.requests").counters()) {
      long count = Math.round(c.count());
      requests += count;
      if (fromCache(c)) {
        cachedRequests += count;
      }
    }
    long servedBytes = 0;
    long cachedBytes = 0;
    for (Counter c : registry.find("cacheproxy.served.bytes").counters()) {
      long count = Math.round(c.count());
      servedBytes += count;
      if (fromCache(c)) {
        cachedBytes += count;
      }
    }
    long upstreamBytes = 0;
    for (Counter c : registry.find("cacheproxy.upstream.bytes").counters()) {
      upstreamBytes += Math.round(c.count());
    }
    return new Counts(requests, cachedRequests, servedBytes, cachedBytes, upstreamBytes);
  }
}
