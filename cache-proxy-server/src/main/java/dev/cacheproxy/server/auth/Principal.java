/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.auth;

/**
 * Who a request was made by: an htpasswd user, a token of the tokens file, or nobody (a client
 * without credentials).
 *
 * @param name the user's or token's name; empty for the anonymous principal
 * @param kind what signed in
 */
public record Principal(String name, Kind kind) {

  /** What kind of credentials a principal signed in with. */
  public enum Kind {
    /** No credentials. */
    ANONYMOUS,
    /** A user of the htpasswd file. */
    USER,
    /** A token of the tokens file ({@code cache-proxy tokens create}). */
    TOKEN
  }

  private static final Principal ANONYMOUS = new Principal("", Kind.ANONYMOUS);

  /** Checks that only the anonymous principal has an empty name. */
  public Principal {
    if ((kind == Kind.ANONYMOUS) != name.isEmpty()) {
      throw new IllegalArgumentException("only the anonymous principal has no name");
    }
  }

  /** The principal of clients that present no credentials. */
  public static Principal anonymous() {
    return ANONYMOUS;
  }

  /** Whether this is the principal of clients without credentials. */
  public boolean isAnonymous() {
    return kind == Kind.ANONYMOUS;
  }
}
