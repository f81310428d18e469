/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.auth;

import java.util.Locale;

/**
 * What a scope map lets a client do with a repository. cache-proxy is read-only, so {@code pull} is
 * the only action; {@code push} and {@code delete} are refused in the configuration.
 */
public enum Action {
  /** Read manifests, blobs and the tag list; see the repository in the catalog. */
  PULL;

  /** The name used in configuration and in token scopes: {@code pull}. */
  public String scopeName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
