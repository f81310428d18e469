/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.events;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.Tag;
import dev.cacheproxy.rules.RepositoryName;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Something that happened in the cache, reported to {@link CacheEventListener}s and webhooks. Each
 * kind has a stable {@link #type()} string ({@code cache.fill}, {@code cache.evict}, {@code
 * tag.updated}, {@code upstream.unhealthy}, {@code upstream.healthy}). Registries are named by host
 * (and port), repositories by their name at the upstream.
 */
public sealed interface CacheEvent {

  /** The {@link #type()} of a {@link CacheFill}. */
  String CACHE_FILL = "cache.fill";

  /** The {@link #type()} of a {@link CacheEvict}. */
  String CACHE_EVICT = "cache.evict";

  /** The {@link #type()} of a {@link TagUpdated}. */
  String TAG_UPDATED = "tag.updated";

  /** The {@link #type()} of an {@link UpstreamUnhealthy}. */
  String UPSTREAM_UNHEALTHY = "upstream.unhealthy";

  /** The {@link #type()} of an {@link UpstreamHealthy}. */
  String UPSTREAM_HEALTHY = "upstream.healthy";

  /** Every event type. */
  Set<String> TYPES =
      Set.of(CACHE_FILL, CACHE_EVICT, TAG_UPDATED, UPSTREAM_UNHEALTHY, UPSTREAM_HEALTHY);

  /** When it happened. */
  Instant time();

  /** The upstream registry's host (with the port, if it has one). */
  String registry();

  /** Its stable type string, e.g. {@code cache.fill}. */
  String type();

  /**
   * A blob fetched from the upstream and committed to the cache.
   *
   * @param repository the upstream repository it was pulled through
   * @param size its size in bytes
   * @param rule the name of the rule it was pulled through
   */
  record CacheFill(
      Instant time,
      String registry,
      RepositoryName repository,
      Digest digest,
      long size,
      String rule)
      implements CacheEvent {

    /** Checks for nulls. */
    public CacheFill {
      Objects.requireNonNull(time, "time");
      Objects.requireNonNull(registry, "registry");
      Objects.requireNonNull(repository, "repository");
      Objects.requireNonNull(digest, "digest");
      Objects.requireNonNull(rule, "rule");
    }

    @Override
    public String type() {
      return CACHE_FILL;
    }
  }

  /**
   * An image removed from the cache: a manifest (or index) with the platform manifests and blobs
   * only it used.
   *
   * @param manifests the manifests removed, the image's root first
   * @param blobs how many blobs were deleted with it, the manifests' own included (blobs being read
   *     are deleted later, and not counted)
   * @param bytes the bytes those blobs took
   * @param reason {@value #EVICTION} (the cache made room) or {@value #PURGE} (an operator asked)
   */
  record CacheEvict(
      Instant time,
      String registry,
      RepositoryName repository,
      List<Digest> manifests,
      int blobs,
      long bytes,
      String reason)
      implements CacheEvent {

    /** The {@code reason} of an image evicted to make room. */
    public static final String EVICTION = "eviction";

    /** The {@code reason} of an image purged on request. */
    public static final String PURGE = "purge";

    /** Checks for nulls and copies the list. */
    public CacheEvict {
      Objects.requireNonNull(time, "time");
      Objects.requireNonNull(registry, "registry");
      Objects.requireNonNull(repository, "repository");
      manifests = List.copyOf(manifests);
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String type() {
      return CACHE_EVICT;
    }
  }

  /**
   * A tag cached for the first time, or found pointing at another manifest when it was revalidated.
   *
   * @param previous the digest it was cached with before, or null when it was not cached
   * @param current the digest it resolves to now
   * @param rule the name of the rule it was pulled through
   */
  record TagUpdated(
      Instant time,
      String registry,
      RepositoryName repository,
      Tag tag,
      @Nullable Digest previous,
      Digest current,
      String rule)
      implements CacheEvent {

    /** Checks for nulls. */
    public TagUpdated {
      Objects.requireNonNull(time, "time");
      Objects.requireNonNull(registry, "registry");
      Objects.requireNonNull(repository, "repository");
      Objects.requireNonNull(tag, "tag");
      Objects.requireNonNull(current, "current");
      Objects.requireNonNull(rule, "rule");
    }

    @Override
    public String type() {
      return TAG_UPDATED;
    }
  }

  /**
   * An upstream endpoint's circuit breaker opened: it failed too often and is not called for a
   * while (cached content is served).
   *
   * @param endpoint the endpoint, without credentials
   * @param state the circuit's new state, {@code OPEN}
   */
  record UpstreamUnhealthy(Instant time, String registry, URI endpoint, String state)
      implements CacheEvent {

    /** Checks for nulls. */
    public UpstreamUnhealthy {
      Objects.requireNonNull(time, "time");
      Objects.requireNonNull(registry, "registry");
      Objects.requireNonNull(endpoint, "endpoint");
      Objects.requireNonNull(state, "state");
    }

    @Override
    public String type() {
      return UPSTREAM_UNHEALTHY;
    }
  }

  /**
   * An upstream endpoint's circuit breaker closed again after trial calls succeeded.
   *
   * @param endpoint the endpoint, without credentials
   * @param state the circuit's new state, {@code CLOSED}
   */
  record UpstreamHealthy(Instant time, String registry, URI endpoint, String state)
      implements CacheEvent {

    /** Checks for nulls. */
    public UpstreamHealthy {
      Objects.requireNonNull(time, "time");
      Objects.requireNonNull(registry, "registry");
      Objects.requireNonNull(endpoint, "endpoint");
      Objects.requireNonNull(state, "state");
    }

    @Override
    public String type() {
      return UPSTREAM_HEALTHY;
    }
  }
}
