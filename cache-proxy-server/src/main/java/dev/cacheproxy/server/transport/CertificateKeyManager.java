/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.transport;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.jspecify.annotations.Nullable;

/**
 * A server key manager that always offers the current {@link ServerCertificate}, so a swapped pair
 * serves every handshake that starts after the swap, without a new {@code SSLContext}.
 *
 * <p>Threading: handshakes on any thread read the current pair from a volatile field; {@link #swap}
 * replaces it under the object's lock. A handshake asks for an alias first and for its key and
 * chain next; the pair before the last swap stays reachable by its alias so a handshake that
 * straddles a swap still gets a matching key and chain.
 */
final class CertificateKeyManager extends X509ExtendedKeyManager {

  /** The pair now served and the one before it (or the same when there was no swap). */
  private record Pairs(ServerCertificate current, ServerCertificate previous) {}

  // Written under the lock of this object, read without it.
  private volatile Pairs pairs;

  CertificateKeyManager(ServerCertificate first) {
    this.pairs = new Pairs(first, first);
  }

  /** Serves {@code next} from the next handshake on. */
  synchronized void swap(ServerCertificate next) {
    pairs = new Pairs(next, pairs.current());
  }

  /** The pair served now. */
  ServerCertificate current() {
    return pairs.current();
  }

  @Override
  public @Nullable String chooseEngineServerAlias(
      String keyType, Principal @Nullable [] issuers, @Nullable SSLEngine engine) {
    return alias(keyType);
  }

  @Override
  public @Nullable String chooseServerAlias(
      String keyType, Principal @Nullable [] issuers, @Nullable Socket socket) {
    return alias(keyType);
  }

  @Override
  public String @Nullable [] getServerAliases(String keyType, Principal @Nullable [] issuers) {
    String alias = alias(keyType);
    return alias == null ? null : new String[] {alias};
  }

  @Override
  public X509Certificate @Nullable [] getCertificateChain(String alias) {
    ServerCertificate pair = byAlias(alias);
    return pair == null ? null : pair.chain().toArray(X509Certificate[]::new);
  }

  @Override
  public @Nullable PrivateKey getPrivateKey(String alias) {
    ServerCertificate pair = byAlias(alias);
    return pair == null ? null : pair.key();
  }

  /** The server presents no client certificate. */
  @Override
  public String @Nullable [] getClientAliases(String keyType, Principal @Nullable [] issuers) {
    return null;
  }

  /** The server presents no client certificate. */
  @Override
  public @Nullable String chooseClientAlias(
      String @Nullable [] keyType, Principal @Nullable [] issuers, @Nullable Socket socket) {
    return null;
  }

  /** The server presents no client certificate. */
  @Override
  public @Nullable String chooseEngineClientAlias(
      String @Nullable [] keyType, Principal @Nullable [] issuers, @Nullable SSLEngine engine) {
    return null;
  }

  private @Nullable String alias(@Nullable String keyType) {
    ServerCertificate pair = current();
    return keyType == null || keyType.equals(pair.keyType()) ? pair.alias() : null;
  }

  private @Nullable ServerCertificate byAlias(@Nullable String alias) {
    Pairs now = pairs;
    if (now.current().alias().equals(alias)) {
      return now.current();
    }
    return now.previous().alias().equals(alias) ? now.previous() : null;
  }
}
