/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * How an upstream registry is doing, as the proxy sees it: the circuit of each of its endpoints,
 * its back-off after a rate limit, its bulkhead, and how often a cached tag was served stale
 * because it could not be revalidated.
 *
 * @param registry the registry host, such as {@code docker.io}
 * @param endpoints the endpoints called so far, in the order they are tried
 * @param openCalls the calls open to the registry now (blob downloads count until they end)
 * @param maxConcurrentRequests the registry's bulkhead size
 * @param staleServes how many times a cached tag of this registry was served stale since start
 */
public record UpstreamHealth(
    String registry,
    List<Endpoint> endpoints,
    int openCalls,
    int maxConcurrentRequests,
    long staleServes) {

  /** Copies the list. */
  public UpstreamHealth {
    endpoints = List.copyOf(endpoints);
  }

  /** Whether any endpoint can be called now: its circuit is not open and it is not backed off. */
  public boolean available() {
    return endpoints.isEmpty()
        || endpoints.stream()
            .anyMatch(e -> e.circuit() != Circuit.OPEN && e.backedOffUntil() == null);
  }

  /** This health with another count of stale serves. */
  public UpstreamHealth withStaleServes(long count) {
    return new UpstreamHealth(registry, endpoints, openCalls, maxConcurrentRequests, count);
  }

  /** The state of an endpoint's circuit breaker. */
  public enum Circuit {
    /** Calls go through. */
    CLOSED,
    /** Too many calls failed: none go through until the wait is over. */
    OPEN,
    /** A few trial calls decide whether it closes or opens again. */
    HALF_OPEN
  }

  /**
   * One endpoint.
   *
   * @param url the endpoint's base URL
   * @param circuit its circuit breaker's state
   * @param failureRate the percentage of the recent calls that failed, or -1 while too few calls
   *     were made to tell
   * @param recentCalls the calls the rate is computed over
   * @param recentFailures how many of them failed
   * @param backedOffUntil when the endpoint may be called again after it answered 429 (or 503 with
   *     {@code Retry-After}), or null if it is not backed off
   */
  public record Endpoint(
      URI url,
      Circuit circuit,
      float failureRate,
      int recentCalls,
      int recentFailures,
      @Nullable Instant backedOffUntil) {}
}
