/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

/**
 * A manifest and how it was obtained.
 *
 * @param manifest the manifest
 * @param status whether it came from the cache, the upstream, or the cache because the upstream
 *     failed
 */
public record ManifestResult(Manifest manifest, CacheStatus status) {}
