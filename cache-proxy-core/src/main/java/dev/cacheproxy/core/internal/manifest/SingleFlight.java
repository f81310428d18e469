/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.manifest;

import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.ProxyException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * Runs one call per key at a time: callers that arrive while a call for their key is running wait
 * for its result instead of starting their own.
 *
 * <p>Concurrency: the first caller for a key installs a future in the map, runs the call on its own
 * thread, completes the future and removes it. Later callers find the future and wait. A failure is
 * handed to every waiting caller; the next caller after it starts afresh.
 */
final class SingleFlight<T> {

  private final ConcurrentHashMap<String, CompletableFuture<T>> calls = new ConcurrentHashMap<>();
  private final Runnable onJoin;

  SingleFlight() {
    this(() -> {});
  }

  /** A single flight that runs {@code onJoin} for each caller that waits for a running call. */
  SingleFlight(Runnable onJoin) {
    this.onJoin = onJoin;
  }

  T run(String key, Supplier<T> call) {
    CompletableFuture<T> mine = new CompletableFuture<>();
    CompletableFuture<T> running = calls.putIfAbsent(key, mine);
    if (running != null) {
      onJoin.run();
      return await(running);
    }
    try {
      T result = call.get();
      mine.complete(result);
      return result;
    } catch (RuntimeException | Error e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      calls.remove(key, mine);
    }
  }

  private static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProxyException(
          OciErrorCode.UNAVAILABLE, "interrupted while waiting for the upstream", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new ProxyException(OciErrorCode.UNKNOWN, "upstream call failed", cause);
    }
  }
}
