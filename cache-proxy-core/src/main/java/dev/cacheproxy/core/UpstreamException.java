/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An upstream registry failed, refused or could not be reached. Keeps the upstream HTTP status (0
 * when no response arrived) and any {@code Retry-After} it sent.
 *
 * <p>While a registry that answered 429 (or 503 with {@code Retry-After}) is left alone, calls for
 * it fail at once with TOOMANYREQUESTS, upstream status 0 (no request was made) and the time the
 * back-off still lasts as {@link #retryAfter()}.
 */
public class UpstreamException extends ProxyException {
  private static final long serialVersionUID = 1L;

  private final int upstreamStatus;
  private final @Nullable Duration retryAfter;

  /** Creates the exception. */
  public UpstreamException(
      OciErrorCode code,
      String message,
      int upstreamStatus,
      @Nullable Duration retryAfter,
      @Nullable Throwable cause) {
    super(code, message, cause);
    this.upstreamStatus = upstreamStatus;
    this.retryAfter = retryAfter;
  }

  /**
   * The upstream's HTTP status, or 0 if it sent no response (connection refused, timeout) or was
   * not asked (its back-off).
   */
  public int upstreamStatus() {
    return upstreamStatus;
  }

  /**
   * How long to wait before asking again: what the upstream said, or what is left of the proxy's
   * back-off from that registry.
   */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
