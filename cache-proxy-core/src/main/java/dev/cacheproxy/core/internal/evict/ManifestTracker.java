/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.evict;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.internal.manifest.ManifestReferences;
import dev.cacheproxy.core.internal.manifest.RepositoryIndex.ManifestRecord;
import dev.cacheproxy.rules.RepositoryName;

/**
 * What the manifest resolver tells eviction: which manifests it saved (and what they reference),
 * and which it served. Leases (from {@link BlobLeases}) keep a manifest blob from being evicted
 * between its commit and its record.
 */
public interface ManifestTracker extends BlobLeases {

  /** Tracks nothing, for a cache that never evicts: records carry the time they were written. */
  ManifestTracker NONE =
      new ManifestTracker() {
        @Override
        public Lease acquire(Digest digest) {
          return BlobLeases.NONE.acquire(digest);
        }

        @Override
        public ManifestRecord recordToSave(
            String registry,
            RepositoryName repository,
            Digest digest,
            String mediaType,
            long size,
            String rule,
            long nowMillis) {
          return new ManifestRecord(mediaType, size, nowMillis, rule);
        }

        @Override
        public void saved(
            String registry,
            RepositoryName repository,
            Digest digest,
            ManifestRecord record,
            ManifestReferences references) {}

        @Override
        public void pulled(
            String registry, RepositoryName repository, Digest digest, String rule) {}
      };

  /**
   * The record to write to the index for a manifest about to be saved: pulled now, or, without
   * access tracking, at the time it was first cached if it is already recorded.
   *
   * @param registry the registry host
   */
  ManifestRecord recordToSave(
      String registry,
      RepositoryName repository,
      Digest digest,
      String mediaType,
      long size,
      String rule,
      long nowMillis);

  /**
   * Records a manifest whose blob is stored and whose record was just written to the index.
   *
   * @param registry the registry host
   */
  void saved(
      String registry,
      RepositoryName repository,
      Digest digest,
      ManifestRecord record,
      ManifestReferences references);

  /**
   * Notes that a client was served this manifest through {@code rule}, now. Must be cheap: it runs
   * on every manifest request.
   *
   * @param registry the registry host
   */
  void pulled(String registry, RepositoryName repository, Digest digest, String rule);
}
