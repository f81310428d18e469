/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

/** A manifest, blob or repository is unknown here and upstream. */
public class NotFoundException extends ProxyException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception; {@code code} is one of the 404 codes. */
  public NotFoundException(OciErrorCode code, String message) {
    super(code, message);
  }
}
