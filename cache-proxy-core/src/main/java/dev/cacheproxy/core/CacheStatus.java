/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

/** How a response was produced, reported to clients in the {@code X-Cache} header. */
public enum CacheStatus {
  /** Served from the cache without asking the upstream. */
  HIT,
  /** Served from the cache after the upstream confirmed it is current. */
  REVALIDATED,
  /** Fetched from the upstream (and cached while it was streamed). */
  MISS,
  /** Served from the cache because the upstream could not be asked (error, timeout, 429). */
  STALE
}
