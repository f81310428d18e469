/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

/** The local cache could not be read or written. */
public class StorageException extends ProxyException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public StorageException(String message) {
    super(OciErrorCode.UNKNOWN, message);
  }

  /** Creates the exception with its cause. */
  public StorageException(String message, Throwable cause) {
    super(OciErrorCode.UNKNOWN, message, cause);
  }
}
