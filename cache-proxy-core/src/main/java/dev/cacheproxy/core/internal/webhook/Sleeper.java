/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.webhook;

import java.time.Duration;

/** Waits between delivery attempts; tests replace it so that they never sleep. */
@FunctionalInterface
interface Sleeper {

  /** The real one: {@link Thread#sleep(Duration)}. */
  Sleeper SYSTEM = Thread::sleep;

  /** Waits {@code duration}; an interrupt ends the wait early. */
  void sleep(Duration duration) throws InterruptedException;
}
