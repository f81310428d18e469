/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

import dev.cacheproxy.rules.RepositoryName;
import java.time.Duration;
import java.util.List;

/**
 * What a pre-warm did.
 *
 * @param repository the repository as the client names it
 * @param reference the tag or digest warmed
 * @param manifests the manifests now cached: the one named, and the platform manifests chosen from
 *     an index
 * @param blobs how many blobs (configs and layers) the chosen manifests need
 * @param blobsFetched how many of them were not cached and were fetched now
 * @param bytes the size of all those blobs
 * @param bytesFetched the bytes fetched now
 * @param took how long it took
 */
public record WarmReport(
    RepositoryName repository,
    Reference reference,
    List<Digest> manifests,
    int blobs,
    int blobsFetched,
    long bytes,
    long bytesFetched,
    Duration took) {

  /** Copies the list. */
  public WarmReport {
    manifests = List.copyOf(manifests);
  }
}
