/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.storage;

import dev.cacheproxy.core.spi.StoredBlob;
import java.util.List;

/**
 * What {@link CacheMaintenance#gc} removed, or would remove in a dry run.
 *
 * @param dryRun whether nothing was removed
 * @param blobs the blobs no cached manifest references, in digest order
 * @param bytes their total size: the space freed
 * @param danglingManifests manifest records whose manifest blob is missing
 * @param removedTags the tags ({@code registry/repository:tag}) no longer resolved because they
 *     pointed at a removed record; always empty in a dry run
 * @param temporaryFiles how many temporary files left by a crash were deleted; 0 in a dry run
 * @param temporaryBytes their total size
 */
public record GcReport(
    boolean dryRun,
    List<StoredBlob> blobs,
    long bytes,
    List<CachedManifest> danglingManifests,
    List<String> removedTags,
    int temporaryFiles,
    long temporaryBytes) {

  /** Copies the lists. */
  public GcReport {
    blobs = List.copyOf(blobs);
    danglingManifests = List.copyOf(danglingManifests);
    removedTags = List.copyOf(removedTags);
  }
}
