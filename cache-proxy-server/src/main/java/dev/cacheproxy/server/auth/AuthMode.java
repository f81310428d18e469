/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.auth;

import java.util.Locale;

/** How clients of the registry listener prove who they are ({@code auth.mode}). */
public enum AuthMode {
  /** Nobody signs in; every client may pull every repository the rules serve. */
  ANONYMOUS,
  /** HTTP basic: every request carries a user's or token's name and secret. */
  BASIC,
  /**
   * The Docker registry token flow: clients trade their name and secret at the proxy's token
   * endpoint for a short-lived signed JWT and present that as a bearer token.
   */
  TOKEN;

  /** The name used in the configuration: {@code anonymous}, {@code basic} or {@code token}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
