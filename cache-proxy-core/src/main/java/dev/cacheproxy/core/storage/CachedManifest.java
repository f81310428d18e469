/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.storage;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.rules.RepositoryName;

/**
 * A manifest record of the cache: the manifest {@code digest} as served for one upstream
 * repository.
 *
 * @param registry the registry host, such as {@code docker.io}
 * @param repository the repository at that registry
 * @param digest the manifest's digest
 */
public record CachedManifest(String registry, RepositoryName repository, Digest digest) {

  /** {@code registry/repository@digest}, as in an image reference. */
  @Override
  public String toString() {
    return registry + "/" + repository.value() + "@" + digest;
  }
}
