/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import java.time.Duration;

/**
 * A registry bearer token and how long it stays valid. {@link #toString()} never shows the token.
 *
 * @param value the token
 * @param expiresIn how long after issue the token stays valid
 */
record BearerToken(String value, Duration expiresIn) {

  /** The validity the token spec assumes when the token service does not say. */
  static final Duration DEFAULT_EXPIRES_IN = Duration.ofSeconds(60);

  private static final Duration MAX_MARGIN = Duration.ofSeconds(30);

  /** How long to reuse the token: its validity less a margin of a fifth, at most 30 s. */
  Duration cacheFor() {
    Duration margin = expiresIn.dividedBy(5);
    return expiresIn.minus(margin.compareTo(MAX_MARGIN) > 0 ? MAX_MARGIN : margin);
  }

  @Override
  public String toString() {
    return "BearerToken[value=***, expiresIn=" + expiresIn + "]";
  }
}
