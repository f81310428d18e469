/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.store;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.Manifest;
import dev.cacheproxy.core.StorageException;
import dev.cacheproxy.core.internal.manifest.ManifestReferences;
import dev.cacheproxy.core.internal.manifest.RepositoryIndex;
import dev.cacheproxy.core.internal.manifest.RepositoryIndex.ManifestRecord;
import dev.cacheproxy.core.spi.BlobStore;
import dev.cacheproxy.core.spi.StoredBlob;
import dev.cacheproxy.rules.Registry;
import dev.cacheproxy.rules.RepositoryName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One pass over a cache's files: every stored blob, and every manifest record with what its
 * manifest references. Records whose manifest blob is missing are reported apart as dangling. The
 * base of both start-up recovery and the operator tools; it only reads.
 *
 * @param blobs every stored blob by digest
 * @param manifests every record whose manifest blob is stored, with its references
 * @param dangling records whose manifest blob is missing (or too large to be a manifest)
 */
public record StoreScan(
    Map<Digest, StoredBlob> blobs,
    List<ScannedManifest> manifests,
    List<ScannedManifest> dangling) {

  /**
   * A manifest record of one repository.
   *
   * @param registry the registry
   * @param repository the repository at the registry
   * @param digest the manifest's digest
   * @param record what the index says of it
   * @param references what the manifest points at ({@link ManifestReferences#NONE} if dangling)
   */
  public record ScannedManifest(
      Registry registry,
      RepositoryName repository,
      Digest digest,
      ManifestRecord record,
      ManifestReferences references) {}

  /** Copies the collections. */
  public StoreScan {
    blobs = Map.copyOf(blobs);
    manifests = List.copyOf(manifests);
    dangling = List.copyOf(dangling);
  }

  /**
   * Scans a store and its index.
   *
   * @throws StorageException if they cannot be listed or a manifest cannot be read
   */
  public static StoreScan scan(BlobStore store, RepositoryIndex index) {
    Map<Digest, StoredBlob> blobs = new HashMap<>();
    try {
      store.forEach(blob -> blobs.put(blob.digest(), blob));
    } catch (IOException e) {
      throw new StorageException("cannot list the stored blobs: " + e.getMessage(), e);
    }
    Map<Digest, ManifestReferences> parsed = new HashMap<>();
    List<ScannedManifest> manifests = new ArrayList<>();
    List<ScannedManifest> dangling = new ArrayList<>();
    index.forEachManifest((registry, repository, digest, record) -> {
      StoredBlob blob = blobs.get(digest);
      ManifestReferences references =
          blob == null || blob.size() > Manifest.MAX_SIZE
              ? null
              : parsed.computeIfAbsent(digest, d -> read(blob));
      ScannedManifest scanned =
          new ScannedManifest(
              registry,
              repository,
              digest,
              record,
              references == null ? ManifestReferences.NONE : references);
      (references == null ? dangling : manifests).add(scanned);
    });
    return new StoreScan(blobs, manifests, dangling);
  }

  private static ManifestReferences read(StoredBlob blob) {
    try {
      return ManifestReferences.parse(Files.readAllBytes(blob.path()));
    } catch (NoSuchFileException e) {
      return ManifestReferences.NONE;
    } catch (IOException e) {
      throw new StorageException("cannot read cached manifest " + blob.digest(), e);
    }
  }
}
