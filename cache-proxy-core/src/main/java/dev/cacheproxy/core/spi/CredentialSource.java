/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.spi;

import java.util.Optional;

/**
 * Looks up a named credential set, as referenced by a rule's {@code credentials} field. Called for
 * each upstream authentication, so an implementation can pick up rotated secrets.
 */
@FunctionalInterface
public interface CredentialSource {

  /** The credentials of the named set, or empty if there is no such set. */
  Optional<Credentials> credentials(String name);

  /** A source that knows no credential sets. */
  static CredentialSource none() {
    return name -> Optional.empty();
  }
}
