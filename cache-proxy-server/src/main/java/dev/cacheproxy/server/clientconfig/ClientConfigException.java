/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.clientconfig;

import java.io.Serial;

/**
 * A mirror set-up that cannot be written: an invalid proxy address, registry or path prefix, or a
 * combination the runtime does not support. The message starts with the {@code client-config}
 * option at fault, such as {@code --registry ghcr.io: ...}, and says what to do instead.
 */
public final class ClientConfigException extends IllegalArgumentException {

  @Serial private static final long serialVersionUID = 1L;

  /** Creates the exception with a message naming the option at fault. */
  public ClientConfigException(String message) {
    super(message);
  }
}
