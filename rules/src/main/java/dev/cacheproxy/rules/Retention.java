/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.rules;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How long the cache keeps images pulled through a rule when it evicts to stay under its size
 * limit. Without retention an image is evicted when it is among the least recently pulled.
 *
 * @param keepFor an image is kept at least this long after its last pull, whatever the LRU order
 *     says; null for no minimum
 * @param pinned never evict images of this rule
 */
public record Retention(@Nullable Duration keepFor, boolean pinned) {

  /** No retention: plain least-recently-used eviction. */
  public static final Retention NONE = new Retention(null, false);

  /**
   * Validates the fields.
   *
   * @throws IllegalArgumentException if {@code keepFor} is negative
   */
  public Retention {
    if (keepFor != null && keepFor.isNegative()) {
      throw new IllegalArgumentException("field 'keepFor' is negative");
    }
  }

  /**
   * Whether an image last pulled at {@code lastPullMillis} must be kept at {@code nowMillis}.
   *
   * @param lastPullMillis epoch milliseconds of the image's last pull
   * @param nowMillis epoch milliseconds now
   */
  public boolean keeps(long lastPullMillis, long nowMillis) {
    return pinned || (keepFor != null && nowMillis - lastPullMillis < keepFor.toMillis());
  }
}
