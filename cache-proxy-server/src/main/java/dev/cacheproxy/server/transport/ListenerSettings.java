/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.transport;

import org.jspecify.annotations.Nullable;

/**
 * How one listener accepts connections.
 *
 * @param bindAddress the address to listen on, such as {@code 0.0.0.0} or {@code 127.0.0.1}
 * @param port the port, or 0 for any free port
 * @param allow the client addresses accepted
 * @param tls the certificate when the listener speaks TLS, or null for plain HTTP
 * @param limits connection count and timeouts
 */
public record ListenerSettings(
    String bindAddress,
    int port,
    IpAllowlist allow,
    @Nullable TlsSettings tls,
    ConnectionLimits limits) {

  /** A plain-HTTP listener that accepts everyone, with the default limits. */
  public static ListenerSettings plain(String bindAddress, int port) {
    return new ListenerSettings(
        bindAddress, port, IpAllowlist.everyone(), null, ConnectionLimits.DEFAULTS);
  }

  /** The URL scheme clients use: {@code https} with TLS, else {@code http}. */
  public String scheme() {
    return tls == null ? "http" : "https";
  }
}
