/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

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
 * @param resilience retries, circuit breaker, bulkhead and rate limit for every registry without an
 *     entry in {@code registries}
 * @param registries per registry host (as written in image references, such as {@code docker.io}),
 *     settings that replace {@code resilience}
 * @param keepDeletedTags whether a cached tag the upstream now answers 404 for is still served
 *     (stale, as when the upstream fails); if false the tag is forgotten and the pull gets 404 (the
 *     content stays until eviction)
 */
public record UpstreamSettings(
    Duration connectTimeout,
    Duration responseTimeout,
    Duration idleTimeout,
    int maxConnectionsPerRegistry,
    int maxConnectionsTotal,
    String userAgent,
    int blobResumeAttempts,
    Duration notFoundCacheTime,
    UpstreamResilience resilience,
    Map<String, UpstreamResilience> registries,
    boolean keepDeletedTags) {

  /**
   * Sensible defaults: 10 s to connect, 30 s to headers, 60 s idle, 64 connections a registry, 5
   * resume attempts per blob, a missing tag remembered for 30 s, {@link
   * UpstreamResilience#DEFAULTS}, tags deleted upstream kept.
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
          Duration.ofSeconds(30),
          UpstreamResilience.DEFAULTS,
          Map.of(),
          true);

  /** Settings with the default resilience, keeping tags deleted upstream. */
  public UpstreamSettings(
      Duration connectTimeout,
      Duration responseTimeout,
      Duration idleTimeout,
      int maxConnectionsPerRegistry,
      int maxConnectionsTotal,
      String userAgent,
      int blobResumeAttempts,
      Duration notFoundCacheTime) {
    this(
        connectTimeout,
        responseTimeout,
        idleTimeout,
        maxConnectionsPerRegistry,
        maxConnectionsTotal,
        userAgent,
        blobResumeAttempts,
        notFoundCacheTime,
        UpstreamResilience.DEFAULTS,
        Map.of(),
        true);
  }

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
    if (resilience == null) {
      throw new IllegalArgumentException("resilience is missing");
    }
    Map<String, UpstreamResilience> byHost = new TreeMap<>();
    for (Map.Entry<String, UpstreamResilience> e : registries.entrySet()) {
      if (e.getKey() == null || e.getKey().isBlank() || e.getValue() == null) {
        throw new IllegalArgumentException("registries: an entry has no host or no settings");
      }
      byHost.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue());
    }
    registries = Map.copyOf(byHost);
  }

  /** The resilience settings for a registry host: its own entry, or the common ones. */
  public UpstreamResilience resilienceFor(String registryHost) {
    return registries.getOrDefault(registryHost.toLowerCase(Locale.ROOT), resilience);
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
        notFoundCacheTime,
        resilience,
        registries,
        keepDeletedTags);
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
        time,
        resilience,
        registries,
        keepDeletedTags);
  }

  /**
   * These settings with other resilience settings: {@code common} for every registry, {@code
   * perRegistry} for the hosts it names.
   */
  public UpstreamSettings withResilience(
      UpstreamResilience common, Map<String, UpstreamResilience> perRegistry) {
    return new UpstreamSettings(
        connectTimeout,
        responseTimeout,
        idleTimeout,
        maxConnectionsPerRegistry,
        maxConnectionsTotal,
        userAgent,
        blobResumeAttempts,
        notFoundCacheTime,
        common,
        perRegistry,
        keepDeletedTags);
  }

  /** These settings keeping, or forgetting, cached tags the upstream deleted. */
  public UpstreamSettings withKeepDeletedTags(boolean keep) {
    return new UpstreamSettings(
        connectTimeout,
        responseTimeout,
        idleTimeout,
        maxConnectionsPerRegistry,
        maxConnectionsTotal,
        userAgent,
        blobResumeAttempts,
        notFoundCacheTime,
        resilience,
        registries,
        keep);
  }

  private static void requirePositive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be a positive duration");
    }
  }
}
