/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.config;

/**
 * A configuration was refused. The message names the key (with its path, such as {@code
 * rules[2].source}), the rule or the credential set, and says what is wrong; it never contains a
 * secret.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message naming the key and the problem. */
  public ConfigException(String message) {
    super(message);
  }

  /** Creates the exception with a message naming the key and the problem, and its cause. */
  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
