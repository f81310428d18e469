/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.evict;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.rules.Registry;
import dev.cacheproxy.rules.RepositoryName;

/**
 * Names one manifest record: a manifest digest in a repository of a registry. The registry is its
 * host, as the index keys it on disk, so that records read back at start match those of routes.
 */
record RecordKey(String registry, RepositoryName repository, Digest digest) {

  /** The key of another manifest (a child) in the same repository. */
  RecordKey sibling(Digest other) {
    return new RecordKey(registry, repository, other);
  }

  /** The registry, for the index (which only uses its host). */
  Registry registryOf() {
    return Registry.of(registry);
  }

  @Override
  public String toString() {
    return registry + "/" + repository + "@" + digest;
  }
}
