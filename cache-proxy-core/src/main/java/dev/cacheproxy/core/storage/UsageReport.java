/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.storage;

import java.util.List;

/**
 * How the cache's space is used: per repository, and in total.
 *
 * @param repositories every repository with cached manifests, largest {@code bytes} first
 * @param blobs how many blobs (layers, configs and manifests) the store holds
 * @param blobBytes their total size: the space the cache takes
 * @param orphans how many of them no cached manifest references
 * @param orphanBytes their total size: what {@code gc} would free
 */
public record UsageReport(
    List<RepositoryUsage> repositories,
    long blobs,
    long blobBytes,
    long orphans,
    long orphanBytes) {

  /** Copies the list. */
  public UsageReport {
    repositories = List.copyOf(repositories);
  }
}
