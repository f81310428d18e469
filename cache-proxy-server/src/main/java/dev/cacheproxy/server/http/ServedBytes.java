/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.undertow.server.HttpServerExchange;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Counts the bytes sent to clients as {@code cacheproxy.served.bytes} with the tags {@code kind}
 * (manifest, blob, tags) and {@code result} (the response's {@code X-Cache} in lower case: hit,
 * miss, revalidated, stale; {@code none} for errors and answers without it), once each exchange
 * completes. Bytes from the cache ({@code hit}, {@code revalidated}, {@code stale}) against the
 * upstream bytes of {@code cacheproxy.upstream.bytes} are what the cache saves. Thread-safe; one
 * counter per kind and result, created on first use.
 */
final class ServedBytes {

  private final MeterRegistry registry;
  private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();

  ServedBytes(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Counts the body bytes of {@code exchange} under {@code kind} when it completes. */
  void attach(HttpServerExchange exchange, String kind) {
    exchange.addExchangeCompleteListener((done, next) -> {
      try {
        long sent = done.getResponseBytesSent();
        if (sent > 0) {
          String cache = done.getResponseHeaders().getFirst(OciHeaders.X_CACHE);
          String result = cache == null ? "none" : cache.toLowerCase(Locale.ROOT);
          counters
              .computeIfAbsent(
                  kind + " " + result,
                  k ->
                      Counter.builder("cacheproxy.served.bytes")
                          .description("Bytes sent to clients, by kind and cache result")
                          .baseUnit("bytes")
                          .tag("kind", kind)
                          .tag("result", result)
                          .register(registry))
              .increment((double) sent);
        }
      } finally {
        next.proceed();
      }
    });
  }
}
