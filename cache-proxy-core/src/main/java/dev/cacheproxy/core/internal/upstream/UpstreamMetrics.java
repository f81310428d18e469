/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The meters of the upstream client: {@code cacheproxy.upstream.requests} (a timer per registry,
 * method and status), {@code cacheproxy.upstream.refused}, {@code cacheproxy.upstream.bytes}, and
 * the gauges {@code cacheproxy.upstream.circuit.state} and {@code cacheproxy.upstream.open.calls}.
 * Tags name registries (hosts from the configuration) and endpoints, never repositories.
 *
 * <p>Concurrency: meters are resolved once per key and kept in concurrent maps, so a call costs a
 * map lookup. The gauges registered are kept in a list and removed from the registry by {@link
 * #close()}, so that a registry outliving the client does not report it.
 */
final class UpstreamMetrics {

  /** The {@code status} tag of a call that got no response (connect failure, timeout). */
  static final String NO_RESPONSE = "none";

  /** Why a call was not made, the {@code reason} tag of {@code cacheproxy.upstream.refused}. */
  enum Refusal {
    BACKOFF,
    CIRCUIT,
    BULKHEAD,
    RATELIMIT;

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Meters that go nowhere, for tests that build the parts without a registry. */
  static UpstreamMetrics none() {
    return new UpstreamMetrics(new CompositeMeterRegistry());
  }

  private record CallKey(String registry, String method, String status) {}

  private record RefusalKey(String registry, Refusal reason) {}

  private final MeterRegistry registry;
  private final ConcurrentMap<CallKey, Timer> calls = new ConcurrentHashMap<>();
  private final ConcurrentMap<RefusalKey, Counter> refusals = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Counter> bytes = new ConcurrentHashMap<>();
  private final List<Meter> gauges = new CopyOnWriteArrayList<>();

  UpstreamMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Records one HTTP call to {@code registryHost} that took {@code nanos} until its answer. */
  void called(String registryHost, String method, String status, long nanos) {
    calls
        .computeIfAbsent(
            new CallKey(registryHost, method, status),
            k ->
                Timer.builder("cacheproxy.upstream.requests")
                    .description("HTTP calls to upstream registries, until the response head")
                    .tag("registry", k.registry())
                    .tag("method", k.method())
                    .tag("status", k.status())
                    .publishPercentileHistogram(true)
                    .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Counts a call to {@code registryHost} that was not made. */
  void refused(String registryHost, Refusal reason) {
    refusals
        .computeIfAbsent(
            new RefusalKey(registryHost, reason),
            k ->
                Counter.builder("cacheproxy.upstream.refused")
                    .description("Upstream calls not made: back-off, open circuit, bulkhead, limit")
                    .tag("registry", k.registry())
                    .tag("reason", k.reason().tag())
                    .register(registry))
        .increment();
  }

  /** The body of a blob response from {@code registryHost}, counting the bytes read from it. */
  InputStream countingBytes(String registryHost, InputStream body) {
    Counter counter =
        bytes.computeIfAbsent(
            registryHost,
            h ->
                Counter.builder("cacheproxy.upstream.bytes")
                    .description("Blob bytes received from upstream registries")
                    .baseUnit("bytes")
                    .tag("registry", h)
                    .register(registry));
    return new CountingInputStream(body, counter);
  }

  /** Registers the state gauge of an endpoint's circuit: 0 closed, 1 open, 2 half-open. */
  void circuit(String registryHost, URI endpoint, CircuitBreaker breaker) {
    gauges.add(
        Gauge.builder("cacheproxy.upstream.circuit.state", breaker, UpstreamMetrics::stateOf)
            .description("Circuit of an upstream endpoint: 0 closed, 1 open, 2 half-open")
            .tag("registry", registryHost)
            .tag("endpoint", Responses.redacted(endpoint))
            .register(registry));
  }

  /** Registers the gauge of the calls holding a place in a registry's bulkhead. */
  void bulkhead(String registryHost, Bulkhead bulkhead) {
    gauges.add(
        Gauge.builder(
                "cacheproxy.upstream.open.calls",
                bulkhead,
                b ->
                    b.getBulkheadConfig().getMaxConcurrentCalls()
                        - b.getMetrics().getAvailableConcurrentCalls())
            .description("Upstream calls holding a place in the registry's bulkhead")
            .tag("registry", registryHost)
            .register(registry));
  }

  /** Removes the gauges registered, which would otherwise report a closed client. */
  void close() {
    for (Meter gauge : gauges) {
      registry.remove(gauge);
    }
    gauges.clear();
  }

  private static double stateOf(CircuitBreaker breaker) {
    return switch (breaker.getState()) {
      case OPEN, FORCED_OPEN, METRICS_ONLY -> 1;
      case HALF_OPEN -> 2;
      default -> 0;
    };
  }

  /** Counts the bytes of each read call, not of each byte. */
  private static final class CountingInputStream extends FilterInputStream {
    private final Counter counter;

    CountingInputStream(InputStream in, Counter counter) {
      super(in);
      this.counter = counter;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        counter.increment();
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        counter.increment(n);
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = in.skip(n);
      if (skipped > 0) {
        counter.increment((double) skipped);
      }
      return skipped;
    }
  }
}
