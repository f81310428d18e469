/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * The request meters of a {@link CacheProxy}: {@code cacheproxy.requests} by kind, result and rule,
 * {@code cacheproxy.errors} by kind and error code, and the gauges and function counters the proxy
 * registers over its own state, which {@link #close()} removes again.
 *
 * <p>Concurrency: counters are resolved once per tag combination and kept in concurrent maps; the
 * tags come from the configuration (rule names) and enums, so the maps stay small. Gauges are
 * registered while the proxy is built, before it is shared, and removed once by {@link #close()}.
 */
final class ProxyMetrics {

  /** The {@code rule} tag of a request that failed before a rule was known. */
  static final String NO_RULE = "none";

  /** What a request asked for, the {@code kind} tag. */
  enum Kind {
    MANIFEST,
    BLOB,
    TAGS;

    final String tag = name().toLowerCase(Locale.ROOT);
  }

  /** How a request ended, the {@code result} tag. */
  enum Result {
    HIT,
    MISS,
    REVALIDATED,
    STALE,
    ERROR;

    final String tag = name().toLowerCase(Locale.ROOT);

    static Result of(CacheStatus status) {
      return switch (status) {
        case HIT -> HIT;
        case MISS -> MISS;
        case REVALIDATED -> REVALIDATED;
        case STALE -> STALE;
      };
    }
  }

  private record RequestKey(Kind kind, Result result, String rule) {}

  private record ErrorKey(Kind kind, OciErrorCode code) {}

  private final MeterRegistry registry;
  private final ConcurrentMap<RequestKey, Counter> requests = new ConcurrentHashMap<>();
  private final ConcurrentMap<ErrorKey, Counter> errors = new ConcurrentHashMap<>();
  private final List<Meter> owned = new ArrayList<>();

  ProxyMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The registry the meters are in. */
  MeterRegistry registry() {
    return registry;
  }

  /** Counts a request that was answered. */
  void answered(Kind kind, CacheStatus status, String rule) {
    request(kind, Result.of(status), rule);
  }

  /** Counts a request that ended in {@code e}. */
  void failed(Kind kind, String rule, RuntimeException e) {
    request(kind, Result.ERROR, rule);
    OciErrorCode code = e instanceof ProxyException p ? p.code() : OciErrorCode.UNKNOWN;
    errors
        .computeIfAbsent(
            new ErrorKey(kind, code),
            k ->
                Counter.builder("cacheproxy.errors")
                    .description("Requests that ended in an error, by error code")
                    .tag("kind", k.kind().tag)
                    .tag("code", k.code().name())
                    .register(registry))
        .increment();
  }

  private void request(Kind kind, Result result, String rule) {
    requests
        .computeIfAbsent(
            new RequestKey(kind, result, rule),
            k ->
                Counter.builder("cacheproxy.requests")
                    .description("Requests by kind, result (cache status or error) and rule")
                    .tag("kind", k.kind().tag)
                    .tag("result", k.result().tag)
                    .tag("rule", k.rule())
                    .register(registry))
        .increment();
  }

  /** Registers a gauge over {@code state}, held weakly, to be removed by {@link #close()}. */
  <T> void gauge(
      String name,
      String description,
      T state,
      ToDoubleFunction<T> value,
      @Nullable String baseUnit) {
    owned.add(
        Gauge.builder(name, state, value)
            .description(description)
            .baseUnit(baseUnit)
            .register(registry));
  }

  /** Registers a function counter over {@code state}, to be removed by {@link #close()}. */
  <T> void functionCounter(
      String name,
      String description,
      T state,
      ToDoubleFunction<T> count,
      @Nullable String baseUnit) {
    owned.add(
        FunctionCounter.builder(name, state, count)
            .description(description)
            .baseUnit(baseUnit)
            .register(registry));
  }

  /** Removes the gauges and function counters, which would otherwise report a closed proxy. */
  void close() {
    for (Meter meter : owned) {
      registry.remove(meter);
    }
    owned.clear();
  }
}
