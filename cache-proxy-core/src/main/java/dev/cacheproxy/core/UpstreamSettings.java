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
 */
public record UpstreamSettings(
    Duration connectTimeout,
    Duration responseTimeout,
    Duration idleTimeout,
    int maxConnectionsPerRegistry,
    int maxConnectionsTotal,
    String userAgent) {

  /** Sensible defaults: 10 s to connect, 30 s to headers, 60 s idle, 64 connections a registry. */
  public static final UpstreamSettings DEFAULTS =
      new UpstreamSettings(
          Duration.ofSeconds(10),
          Duration.ofSeconds(30),
          Duration.ofSeconds(60),
          64,
          256,
          "cache-proxy/0.1");

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
  }

  private static void requirePositive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be a positive duration");
    }
  }
}
