/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

import java.time.Duration;

/**
 * How the calls to one upstream registry are protected (with Resilience4j): retries of metadata
 * calls, a circuit breaker per endpoint, a bulkhead and an optional rate limiter per registry.
 *
 * <p>Retries cover metadata calls only (token, manifest {@code HEAD}/{@code GET}, tag lists) that
 * failed with UNAVAILABLE (the upstream could not be reached, timed out or answered 5xx without
 * {@code Retry-After}); waits grow from {@code retryBackoff}, doubling, each with ±50 % jitter, to
 * at most {@code retryMaxBackoff}. Blobs are never retried this way: a broken blob download resumes
 * with a ranged request (see {@link UpstreamSettings#blobResumeAttempts()}).
 *
 * <p>The circuit breaker of an endpoint opens when, of its last {@code circuitWindow} calls (and at
 * least {@code circuitMinimumCalls}), {@code circuitFailureRate} percent or more failed with
 * UNAVAILABLE; 404, 401 and 429 answers are not failures. While open (for {@code circuitOpenFor})
 * the endpoint is not called: the next endpoint of the registry is tried, and with none left the
 * call fails at once with UNAVAILABLE. Then three trial calls decide whether it closes again.
 *
 * @param retryAttempts how many times a metadata call is tried in all (1: no retry)
 * @param retryBackoff the wait before the first retry
 * @param retryMaxBackoff the longest wait between two tries
 * @param circuitFailureRate the failure rate, in percent (1 to 100), that opens the circuit
 * @param circuitMinimumCalls how many calls must be recorded before the rate counts
 * @param circuitWindow how many of the most recent calls the rate is computed over
 * @param circuitOpenFor how long an open circuit keeps calls away before trial calls
 * @param maxConcurrentRequests the bulkhead: the most calls open at once to this registry, a blob
 *     download counting until its body is closed
 * @param maxQueueTime how long a call waits for the bulkhead or the rate limiter before it fails
 *     with TOOMANYREQUESTS
 * @param requestsPerSecond the most calls started per second to this registry (0: no limit)
 */
public record UpstreamResilience(
    int retryAttempts,
    Duration retryBackoff,
    Duration retryMaxBackoff,
    int circuitFailureRate,
    int circuitMinimumCalls,
    int circuitWindow,
    Duration circuitOpenFor,
    int maxConcurrentRequests,
    Duration maxQueueTime,
    double requestsPerSecond) {

  /**
   * The defaults: 3 tries from 200 ms to 5 s apart; the circuit opens at 50 % failures of the last
   * 20 calls (at least 10) for 30 s; 64 concurrent calls per registry, waiting at most 30 s; no
   * rate limit.
   */
  public static final UpstreamResilience DEFAULTS =
      new UpstreamResilience(
          3,
          Duration.ofMillis(200),
          Duration.ofSeconds(5),
          50,
          10,
          20,
          Duration.ofSeconds(30),
          64,
          Duration.ofSeconds(30),
          0);

  /** Validates the settings; the messages name the setting. */
  public UpstreamResilience {
    if (retryAttempts < 1 || retryAttempts > 100) {
      throw new IllegalArgumentException(
          "retryAttempts must be from 1 (no retry) to 100, not " + retryAttempts);
    }
    requirePositive("retryBackoff", retryBackoff);
    requirePositive("retryMaxBackoff", retryMaxBackoff);
    if (retryMaxBackoff.compareTo(retryBackoff) < 0) {
      throw new IllegalArgumentException("retryMaxBackoff is shorter than retryBackoff");
    }
    if (circuitFailureRate < 1 || circuitFailureRate > 100) {
      throw new IllegalArgumentException(
          "circuitFailureRate must be a percentage from 1 to 100, not " + circuitFailureRate);
    }
    if (circuitWindow < 1 || circuitWindow > 10_000) {
      throw new IllegalArgumentException(
          "circuitWindow must be from 1 to 10000 calls, not " + circuitWindow);
    }
    if (circuitMinimumCalls < 1 || circuitMinimumCalls > circuitWindow) {
      throw new IllegalArgumentException(
          "circuitMinimumCalls must be from 1 to circuitWindow (" + circuitWindow + ")");
    }
    requirePositive("circuitOpenFor", circuitOpenFor);
    if (maxConcurrentRequests < 1 || maxConcurrentRequests > 100_000) {
      throw new IllegalArgumentException(
          "maxConcurrentRequests must be from 1 to 100000, not " + maxConcurrentRequests);
    }
    if (maxQueueTime == null || maxQueueTime.isNegative()) {
      throw new IllegalArgumentException("maxQueueTime must not be negative");
    }
    if (!(requestsPerSecond >= 0) || requestsPerSecond > 1_000_000) {
      throw new IllegalArgumentException(
          "requestsPerSecond must be from 0 (no limit) to 1000000, not " + requestsPerSecond);
    }
  }

  /** These settings with another number of tries per metadata call (1: no retry). */
  public UpstreamResilience withRetryAttempts(int attempts) {
    return new UpstreamResilience(
        attempts,
        retryBackoff,
        retryMaxBackoff,
        circuitFailureRate,
        circuitMinimumCalls,
        circuitWindow,
        circuitOpenFor,
        maxConcurrentRequests,
        maxQueueTime,
        requestsPerSecond);
  }

  /** These settings with another circuit breaker. */
  public UpstreamResilience withCircuit(
      int failureRate, int minimumCalls, int window, Duration openFor) {
    return new UpstreamResilience(
        retryAttempts,
        retryBackoff,
        retryMaxBackoff,
        failureRate,
        minimumCalls,
        window,
        openFor,
        maxConcurrentRequests,
        maxQueueTime,
        requestsPerSecond);
  }

  /** These settings with another bulkhead and rate limit. */
  public UpstreamResilience withLimits(int maxConcurrent, Duration queueTime, double perSecond) {
    return new UpstreamResilience(
        retryAttempts,
        retryBackoff,
        retryMaxBackoff,
        circuitFailureRate,
        circuitMinimumCalls,
        circuitWindow,
        circuitOpenFor,
        maxConcurrent,
        queueTime,
        perSecond);
  }

  private static void requirePositive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be a positive duration");
    }
  }
}
