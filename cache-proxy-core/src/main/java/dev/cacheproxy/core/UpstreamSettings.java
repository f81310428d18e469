/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

import java.time.Duration;

/**
 * How the proxy talks to upstream registries.
 *
 * @param connectTimeout how long to wait for a TCP (and TLS) connection
 * @param responseTimeout how long to wait for response headers
 * @param idleTimeout how long a response body may stall between bytes; there is no limit on the
 *     total time of a blob that keeps moving
 * @param maxConnectionsPerRegistry the connection pool's limit per upstream host
 * @param maxConnectionsTotal the connection pool's total limit
 * @param userAgent the User-Agent sent upstream
 * @param blobResumeAttempts how many times a blob download whose connection breaks is resumed with
 *     a ranged request from the last byte written, before the fill fails (0: never)
 * @param notFoundCacheTime how long an upstream {@code 404} for a tag is remembered, so that a
 *     missing tag is not asked for again by every client (zero: not remembered)
 */
public record UpstreamSettings(
    Duration connectTimeout,
    Duration responseTimeout,
    Duration idleTimeout,
    int maxConnectionsPerRegistry,
    int maxConnectionsTotal,
    String userAgent,
    int blobResumeAttempts,
    Duration notFoundCacheTime) {

  /**
   * Sensible defaults: 10 s to connect, 30 s to headers, 60 s idle, 64 connections a registry, 5
   * resume attempts per blob, a missing tag remembered for 30 s.
   */
  public static final UpstreamSettings DEFAULTS =
      new UpstreamSettings(
          Duration.ofSeconds(10),
          Duration.ofSeconds(30),
          Duration.ofSeconds(60),
          64,
          256,
          "cache-proxy/0.1",
          5,
          Duration.ofSeconds(30));

  /** Settings with the default resume attempts and not-found cache time. */
  public UpstreamSettings(
      Duration connectTimeout,
      Duration responseTimeout,
      Duration idleTimeout,
      int maxConnectionsPerRegistry,
      int maxConnectionsTotal,
      String userAgent) {
    this(
        connectTimeout,
        responseTimeout,
        idleTimeout,
        maxConnectionsPerRegistry,
        maxConnectionsTotal,
        userAgent,
        5,
        Duration.ofSeconds(30));
  }

  /** Validates the settings. */
  public UpstreamSettings {
    requirePositive("connectTimeout", connectTimeout);
    requirePositive("responseTimeout", responseTimeout);
    requirePositive("idleTimeout", idleTimeout);
    if (maxConnectionsPerRegistry < 1 || maxConnectionsTotal < maxConnectionsPerRegistry) {
      throw new IllegalArgumentException(
          "maxConnectionsPerRegistry must be at least 1 and at most maxConnectionsTotal");
    }
    if (userAgent == null || userAgent.isBlank()) {
      throw new IllegalArgumentException("userAgent is blank");
    }
    if (blobResumeAttempts < 0 || blobResumeAttempts > 1000) {
      throw new IllegalArgumentException(
          "blobResumeAttempts must be from 0 to 1000, not " + blobResumeAttempts);
    }
    if (notFoundCacheTime == null || notFoundCacheTime.isNegative()) {
      throw new IllegalArgumentException("notFoundCacheTime must not be negative");
    }
  }

  /** These settings with another number of resume attempts per blob. */
  public UpstreamSettings withBlobResumeAttempts(int attempts) {
    return new UpstreamSettings(
        connectTimeout,
        responseTimeout,
        idleTimeout,
        maxConnectionsPerRegistry,
        maxConnectionsTotal,
        userAgent,
        attempts,
        notFoundCacheTime);
  }

  /** These settings with another time an upstream 404 for a tag is remembered. */
  public UpstreamSettings withNotFoundCacheTime(Duration time) {
    return new UpstreamSettings(
        connectTimeout,
        responseTimeout,
        idleTimeout,
        maxConnectionsPerRegistry,
        maxConnectionsTotal,
        userAgent,
        blobResumeAttempts,
        time);
  }

  private static void requirePositive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be a positive duration");
    }
  }
}
