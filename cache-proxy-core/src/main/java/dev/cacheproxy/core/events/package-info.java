/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
/**
 * What happens in the cache, as events: {@link dev.cacheproxy.core.events.CacheEvent}s go to the
 * {@link dev.cacheproxy.core.events.CacheEventListener}s and {@link
 * dev.cacheproxy.core.events.WebhookTarget}s given to {@link dev.cacheproxy.core.CacheProxy.Builder}.
 */
@NullMarked
package dev.cacheproxy.core.events;

import org.jspecify.annotations.NullMarked;
