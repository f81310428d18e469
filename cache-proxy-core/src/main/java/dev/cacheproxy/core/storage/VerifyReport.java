/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.storage;

import dev.cacheproxy.core.Digest;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@link CacheMaintenance#verify} found.
 *
 * @param blobs how many blobs were re-hashed (blobs deleted by a running server while the check
 *     went on are not counted)
 * @param bytes how many bytes they hold
 * @param corrupt the blobs whose content does not hash to their digest or could not be read, in
 *     digest order
 * @param repaired whether the corrupt blobs were deleted ({@code verify(true, ..)})
 * @param removedManifests the manifest records deleted because their manifest blob was corrupt
 * @param removedTags the tags ({@code registry/repository:tag}) no longer resolved because they
 *     pointed at a removed manifest record; they are resolved with the upstream on the next pull
 */
public record VerifyReport(
    long blobs,
    long bytes,
    List<CorruptBlob> corrupt,
    boolean repaired,
    List<CachedManifest> removedManifests,
    List<String> removedTags) {

  /**
   * A blob that failed the check.
   *
   * @param digest the digest it is stored under
   * @param size its size in bytes
   * @param path the file holding it (deleted if the report is {@code repaired})
   * @param problem what is wrong, such as {@code content hashes to sha256:…}
   */
  public record CorruptBlob(Digest digest, long size, Path path, String problem) {}

  /** Copies the lists. */
  public VerifyReport {
    corrupt = List.copyOf(corrupt);
    removedManifests = List.copyOf(removedManifests);
    removedTags = List.copyOf(removedTags);
  }

  /** Whether no corrupt blob is left in the cache: none was found, or all were removed. */
  public boolean intact() {
    return corrupt.isEmpty() || repaired;
  }

  /** The total size of the corrupt blobs. */
  public long corruptBytes() {
    return corrupt.stream().mapToLong(CorruptBlob::size).sum();
  }
}
