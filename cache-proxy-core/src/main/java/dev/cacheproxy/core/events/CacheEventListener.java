/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.events;

/**
 * A receiver of {@link CacheEvent}s, given to {@link
 * dev.cacheproxy.core.CacheProxy.Builder#eventListener(CacheEventListener)}.
 *
 * <p>{@link #onEvent} is called on the thread where the event happens: a client's pull, a blob
 * fill, the eviction thread, or an upstream call, sometimes while the cache holds a lock. It must
 * not block and should return quickly: hand the event to a queue or another thread for anything
 * slow (as the webhook sender does). It may be called from many threads at once. An exception it
 * throws is logged and otherwise ignored; it never fails a pull.
 */
@FunctionalInterface
public interface CacheEventListener {

  /** Receives one event; must not block (see the class comment). */
  void onEvent(CacheEvent event);
}
