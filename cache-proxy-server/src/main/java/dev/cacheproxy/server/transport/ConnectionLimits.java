/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.transport;

import java.time.Duration;

/**
 * What keeps slow, idle or too many clients from tying up a listener.
 *
 * @param maxConnections the most connections open at once; more wait in the kernel's backlog
 * @param idleTimeout how long a keep-alive connection may wait for its next request
 * @param requestTimeout how long a client may take to send a request's line and headers
 * @param writeTimeout how long a response may make no progress because the client reads nothing
 */
public record ConnectionLimits(
    int maxConnections, Duration idleTimeout, Duration requestTimeout, Duration writeTimeout) {

  /** The limits used when the configuration sets none. */
  public static final ConnectionLimits DEFAULTS =
      new ConnectionLimits(
          10_000, Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofMinutes(5));

  /**
   * Checks the limits.
   *
   * @throws IllegalArgumentException naming the limit that is not positive
   */
  public ConnectionLimits {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be at least 1");
    }
    positive("idleTimeout", idleTimeout);
    positive("requestTimeout", requestTimeout);
    positive("writeTimeout", writeTimeout);
  }

  private static void positive(String name, Duration value) {
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(name + " must be a positive duration");
    }
  }
}
