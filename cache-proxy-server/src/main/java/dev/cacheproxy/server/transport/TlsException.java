/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.transport;

/**
 * A certificate or private key that cannot be used: a PEM file that is missing, unreadable, in the
 * wrong format, or a key that does not belong to the certificate. The message names the file and
 * says how to fix it.
 */
public final class TlsException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** An exception with {@code message}, which names the file and the problem. */
  public TlsException(String message) {
    super(message);
  }

  /** An exception with {@code message} and the failure behind it. */
  public TlsException(String message, Throwable cause) {
    super(message, cause);
  }
}
