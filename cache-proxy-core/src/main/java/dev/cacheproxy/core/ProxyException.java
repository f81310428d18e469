/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

import org.jspecify.annotations.Nullable;

/**
 * The root of every error the proxy reports to clients; it carries the OCI error code (and so the
 * HTTP status) to answer with. Messages name the repository and digest, never a credential.
 */
public class ProxyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final OciErrorCode code;

  /** Creates an exception with a code and a message. */
  public ProxyException(OciErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  /** Creates an exception with a code, a message and a cause. */
  public ProxyException(OciErrorCode code, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /** The OCI error code to answer with. */
  public OciErrorCode code() {
    return code;
  }
}
