/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.manifest;

import dev.cacheproxy.core.spi.Credentials;
import org.jspecify.annotations.Nullable;

/**
 * Looks up a rule's upstream credentials when the upstream is actually called, so a request served
 * from the cache never reads a secret (a credential source may read an environment variable or a
 * file each time).
 */
@FunctionalInterface
public interface CredentialsLookup {

  /** The credentials, or null to call the upstream anonymously. */
  @Nullable Credentials get();
}
