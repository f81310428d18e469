/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.events;

import dev.cacheproxy.core.events.CacheEvent;
import dev.cacheproxy.core.events.CacheEventListener;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each event to every listener in turn on the caller's thread. A listener that throws is
 * logged (the first failure with its stack trace, later ones in one line) and the others still get
 * the event: a listener never fails a pull.
 *
 * <p>Thread-safe: the listener list is immutable.
 */
public final class EventDispatcher implements CacheEventListener {

  private static final Logger LOG = LoggerFactory.getLogger(EventDispatcher.class);

  /** A listener that ignores every event. */
  public static final CacheEventListener NONE = event -> {};

  private final List<CacheEventListener> listeners;
  private final AtomicLong failures = new AtomicLong();

  /** A dispatcher to {@code listeners}, in order. */
  public EventDispatcher(List<CacheEventListener> listeners) {
    this.listeners = List.copyOf(listeners);
  }

  /** Whether there is no listener (so that callers may skip building events). */
  public boolean isEmpty() {
    return listeners.isEmpty();
  }

  @Override
  public void onEvent(CacheEvent event) {
    for (CacheEventListener listener : listeners) {
      try {
        listener.onEvent(event);
      } catch (RuntimeException e) {
        if (failures.getAndIncrement() == 0) {
          LOG.warn("event listener {} failed on {}", listener, event.type(), e);
        } else {
          LOG.warn("event listener {} failed on {}: {}", listener, event.type(), e.toString());
        }
      }
    }
  }

  /** Calls {@code listener} with {@code event}, logging instead of throwing if it fails. */
  public static void emit(CacheEventListener listener, CacheEvent event) {
    try {
      listener.onEvent(event);
    } catch (RuntimeException e) {
      LOG.warn("event listener {} failed on {}: {}", listener, event.type(), e.toString());
    }
  }
}
