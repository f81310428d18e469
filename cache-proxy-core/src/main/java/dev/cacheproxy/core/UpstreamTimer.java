/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

import org.jspecify.annotations.Nullable;

/**
 * Adds up the time the current thread spends in upstream calls (token, manifest, tag list and blob
 * requests, until their response head), so that an access log can say how much of a request was
 * spent waiting for the upstream. Blob bodies are not counted: a blob is downloaded by a fill on
 * its own thread, shared by every client that asked for it.
 *
 * <pre>{@code
 * try (UpstreamTimer timer = UpstreamTimer.start()) {
 *   ManifestResult result = proxy.manifest(name, reference, accept);
 *   log(timer.nanos());
 * }
 * }</pre>
 *
 * <p>Timers nest: an inner timer's time also counts for the outer one. Not shared between threads.
 */
public final class UpstreamTimer implements AutoCloseable {

  private static final ThreadLocal<UpstreamTimer> CURRENT = new ThreadLocal<>();

  private final @Nullable UpstreamTimer outer;
  private long nanos;
  private boolean closed;

  private UpstreamTimer(@Nullable UpstreamTimer outer) {
    this.outer = outer;
  }

  /** Starts counting upstream time on this thread until {@link #close()}. */
  public static UpstreamTimer start() {
    UpstreamTimer timer = new UpstreamTimer(CURRENT.get());
    CURRENT.set(timer);
    return timer;
  }

  /**
   * Adds {@code elapsed} nanoseconds of an upstream call made on this thread to the running timers;
   * does nothing when none runs. Called by the upstream client.
   */
  public static void record(long elapsed) {
    for (UpstreamTimer t = CURRENT.get(); t != null; t = t.outer) {
      t.nanos += elapsed;
    }
  }

  /** The upstream time counted so far, in nanoseconds. */
  public long nanos() {
    return nanos;
  }

  /** Stops counting; the timer that was running before this one runs again. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      if (CURRENT.get() == this) {
        if (outer == null) {
          CURRENT.remove();
        } else {
          CURRENT.set(outer);
        }
      }
    }
  }
}
