/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.prewarm;

import java.util.Locale;

/** How a pre-warm run ended, as the {@code result} tag of {@code cacheproxy.prewarm.runs}. */
public enum RunResult {
  /** Every image was warmed. */
  COMPLETE,
  /** Some images were warmed, others failed or were skipped when the window closed. */
  PARTIAL,
  /** No image was warmed: all failed or were skipped. */
  FAILED;

  /** The name in meters and logs: {@code complete}, {@code partial}, {@code failed}. */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }

  static RunResult of(int warmed, int images) {
    return warmed == images ? COMPLETE : warmed > 0 ? PARTIAL : FAILED;
  }
}
