/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
/**
 * The pull-through cache, embeddable as a library: {@link dev.cacheproxy.core.CacheProxy} resolves
 * manifests and opens blob streams, fetching each from the upstream once and serving every later
 * request from the local cache.
 */
@NullMarked
package dev.cacheproxy.core;

import org.jspecify.annotations.NullMarked;
