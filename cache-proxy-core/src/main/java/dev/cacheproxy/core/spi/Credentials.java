/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.spi;

/**
 * A user name and password (or token) for an upstream registry. {@link #toString()} never shows the
 * password.
 *
 * @param username the user name
 * @param password the password or access token
 */
public record Credentials(String username, String password) {

  /** Validates the fields. */
  public Credentials {
    if (username == null || username.isEmpty() || password == null) {
      throw new IllegalArgumentException("credentials need a user name and a password");
    }
  }

  @Override
  public String toString() {
    return "Credentials[username=" + username + ", password=***]";
  }
}
