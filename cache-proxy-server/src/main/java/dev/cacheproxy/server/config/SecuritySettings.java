/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.config;

import dev.cacheproxy.server.auth.AuthSettings;
import dev.cacheproxy.server.transport.ConnectionLimits;
import dev.cacheproxy.server.transport.IpAllowlist;
import dev.cacheproxy.server.transport.ListenerSettings;
import dev.cacheproxy.server.transport.TlsSettings;
import org.jspecify.annotations.Nullable;

/**
 * Who may connect and sign in: the {@code auth:} and {@code tls:} sections and the listeners'
 * {@code allow} lists and limits.
 *
 * @param auth how clients sign in and what each may pull
 * @param tls the certificate of the registry listener, or null for plain HTTP
 * @param tlsRequired whether every listener must speak TLS ({@code tls.required})
 * @param allow the clients the registry listener accepts ({@code server.allow})
 * @param adminAllow the clients the admin listener accepts ({@code admin.allow})
 * @param adminTls whether the admin listener speaks TLS with the same certificate ({@code
 *     admin.tls})
 * @param limits connection count and timeouts of the registry listener
 */
public record SecuritySettings(
    AuthSettings auth,
    @Nullable TlsSettings tls,
    boolean tlsRequired,
    IpAllowlist allow,
    IpAllowlist adminAllow,
    boolean adminTls,
    ConnectionLimits limits) {

  /**
   * Checks that the settings fit together.
   *
   * @throws ConfigException when {@code tls.required} or {@code admin.tls} is set without a
   *     certificate
   */
  public SecuritySettings {
    if (tls == null && tlsRequired) {
      throw new ConfigException(
          "tls.required is true but tls.certificate and tls.key are not set: give the listener a"
              + " certificate or set tls.required to false");
    }
    if (tls == null && adminTls) {
      throw new ConfigException(
          "admin.tls is true but tls.certificate and tls.key are not set: the admin listener"
              + " uses the registry listener's certificate");
    }
    if (tlsRequired && !adminTls) {
      adminTls = true;
    }
  }

  /** Anonymous pull over plain HTTP from everyone, with the default limits: the built-in mode. */
  public static SecuritySettings open() {
    return new SecuritySettings(
        AuthSettings.anonymousPull(),
        null,
        false,
        IpAllowlist.everyone(),
        IpAllowlist.everyone(),
        false,
        ConnectionLimits.DEFAULTS);
  }

  /** The registry listener on {@code bindAddress} and {@code port}. */
  public ListenerSettings registryListener(String bindAddress, int port) {
    return new ListenerSettings(bindAddress, port, allow, tls, limits);
  }

  /** The admin listener on {@code bindAddress} and {@code port}. */
  public ListenerSettings adminListener(String bindAddress, int port) {
    return new ListenerSettings(
        bindAddress, port, adminAllow, adminTls ? tls : null, ConnectionLimits.DEFAULTS);
  }

  /** These settings with other auth settings (a reload). */
  public SecuritySettings withAuth(AuthSettings settings) {
    return new SecuritySettings(settings, tls, tlsRequired, allow, adminAllow, adminTls, limits);
  }
}
