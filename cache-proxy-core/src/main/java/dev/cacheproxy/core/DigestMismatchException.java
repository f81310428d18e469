/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

/**
 * Content from an upstream did not hash to the digest it was fetched by; nothing of it was kept.
 *
 * <p>It is sent to clients as {@link OciErrorCode#UNAVAILABLE} (503), not {@code DIGEST_INVALID}
 * (400): the client asked for a valid digest and the upstream failed to deliver it, so the client
 * should retry rather than give up.
 */
public class DigestMismatchException extends ProxyException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception; the message names the expected and actual digests. */
  public DigestMismatchException(String message) {
    super(OciErrorCode.UNAVAILABLE, message);
  }
}
