/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.manifest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.Manifest;
import dev.cacheproxy.core.ManifestResult;
import dev.cacheproxy.core.StorageException;
import dev.cacheproxy.core.Tag;
import dev.cacheproxy.core.internal.evict.BlobLeases.Lease;
import dev.cacheproxy.core.internal.evict.ManifestTracker;
import dev.cacheproxy.core.internal.manifest.RepositoryIndex.ManifestRecord;
import dev.cacheproxy.core.spi.BlobStore;
import dev.cacheproxy.core.spi.BlobWriter;
import dev.cacheproxy.core.spi.StoredBlob;
import dev.cacheproxy.rules.Route;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cached side of manifest resolution: reads manifests by digest or tag from the blob store and
 * the index, saves fetched ones, and reports saves and serves to the {@link ManifestTracker}.
 *
 * <p>When the cache cannot store a manifest or a tag (the disk is full), it warns, runs the
 * storage-failure callback so that room can be made, and carries on: the caller serves the manifest
 * uncached. A manifest blob that vanishes while it is read (evicted) is a miss. The bytes of
 * manifests served lately stay in memory: a load still checks that the file exists but does not
 * read it, and {@link #loadByDigestFromMemory} checks only the in-memory record, so a manifest file
 * deleted behind the server's back (eviction and purges delete the records too) may be served from
 * memory until a load notices.
 *
 * <p>Concurrency: the in-memory bytes are a thread-safe Caffeine cache; otherwise stateless besides
 * its collaborators, which are thread-safe. A save holds a lease on the manifest's digest from
 * before its commit until it is recorded, so eviction never takes the blob of a record being
 * written.
 */
final class ManifestCache {

  private static final Logger LOG = LoggerFactory.getLogger(ManifestCache.class);

  /** The most manifest bytes kept in memory: thousands of typical manifests of a few KiB. */
  static final long HOT_BYTES = 8L << 20;

  /** A manifest found through a tag, with the tag's record and the entry that matched. */
  record Cached(TagRecord record, TagRecord.Entry entry, Manifest manifest) {}

  private final BlobStore store;
  private final RepositoryIndex index;
  private final Clock clock;
  private final ManifestTracker tracker;
  private final Runnable onStorageFailure;

  /**
   * The bytes of manifests served or saved lately, by digest, at most {@value #HOT_BYTES} bytes in
   * all, so a hot manifest is not read from its file again. Content-addressed, so an entry never
   * goes stale; whether it is served is still decided by the index records, as for the file, and a
   * load that finds the file gone drops it.
   */
  private final Cache<Digest, byte[]> hot =
      Caffeine.newBuilder()
          .maximumWeight(HOT_BYTES)
          .weigher((Digest digest, byte[] bytes) -> bytes.length)
          .build();

  ManifestCache(
      BlobStore store,
      RepositoryIndex index,
      Clock clock,
      ManifestTracker tracker,
      Runnable onStorageFailure) {
    this.store = store;
    this.index = index;
    this.clock = clock;
    this.tracker = tracker;
    this.onStorageFailure = onStorageFailure;
  }

  /** What {@code tag} of the route's repository resolved to, if it was ever cached. */
  Optional<TagRecord> tag(Route route, Tag tag) {
    return index.tag(route.registry(), route.upstreamRepository(), tag);
  }

  /** Reports a manifest about to be served as pulled (a volatile write, no I/O). */
  ManifestResult served(Route route, ManifestResult result) {
    tracker.pulled(
        route.registry().host(),
        route.upstreamRepository(),
        result.manifest().digest(),
        route.rule().name());
    return result;
  }

  /**
   * Stores a manifest and records it. Returns false, after a warning and the storage-failure
   * callback, when the cache cannot take it: the caller serves it uncached.
   */
  boolean save(Route route, Manifest manifest) {
    Digest digest = manifest.digest();
    String host = route.registry().host();
    try (Lease lease = tracker.acquire(digest)) {
      storeBlob(route, manifest);
      ManifestRecord record =
          tracker.recordToSave(
              host,
              route.upstreamRepository(),
              digest,
              manifest.mediaType(),
              manifest.size(),
              route.rule().name(),
              clock.millis());
      index.putManifest(route.registry(), route.upstreamRepository(), digest, record);
      hot.put(digest, manifest.content());
      tracker.saved(
          host,
          route.upstreamRepository(),
          digest,
          record,
          ManifestReferences.parse(manifest.content()));
      return true;
    } catch (StorageException e) {
      LOG.warn(
          "cannot cache manifest {} of {} ({}); serving it uncached",
          digest,
          route.upstreamName(),
          e.getMessage());
      onStorageFailure.run();
      return false;
    }
  }

  private void storeBlob(Route route, Manifest manifest) {
    try {
      if (store.get(manifest.digest()).isEmpty()) {
        try (BlobWriter writer = store.create(manifest.digest())) {
          writer.write(ByteBuffer.wrap(manifest.content()));
          writer.commit(manifest.size());
        }
      }
    } catch (IOException e) {
      throw new StorageException(
          "cannot store manifest "
              + manifest.digest()
              + " of "
              + route.upstreamName()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /** Records a tag's resolution; when the cache cannot write it, warns and carries on. */
  void putTag(Route route, Tag tag, TagRecord record) {
    try {
      index.putTag(route.registry(), route.upstreamRepository(), tag, record);
    } catch (StorageException e) {
      LOG.warn("cannot record tag {}:{} ({})", route.upstreamName(), tag, e.getMessage());
      onStorageFailure.run();
    }
  }

  /** Forgets a tag's resolutions (its manifests stay until eviction); warns when it cannot. */
  void forgetTag(Route route, Tag tag) {
    try {
      index.deleteTag(route.registry(), route.upstreamRepository(), tag);
    } catch (StorageException e) {
      LOG.warn("cannot forget tag {}:{} ({})", route.upstreamName(), tag, e.getMessage());
    }
  }

  Optional<Manifest> loadByDigest(Route route, Digest digest) {
    return index
        .manifest(route.registry(), route.upstreamRepository(), digest)
        .flatMap(record -> load(route, digest, record.mediaType()));
  }

  /**
   * The manifest with {@code digest} when both its record and its bytes are in memory; never
   * touches the disk, so an event loop may call it.
   */
  Optional<Manifest> loadByDigestFromMemory(Route route, Digest digest) {
    byte[] bytes = hot.getIfPresent(digest);
    if (bytes == null) {
      return Optional.empty();
    }
    return index
        .manifestInMemory(route.registry(), route.upstreamRepository(), digest)
        .map(record -> new Manifest(digest, record.mediaType(), bytes));
  }

  Optional<Cached> loadByTag(Route route, Tag tag, List<String> accept) {
    Optional<TagRecord> record = index.tag(route.registry(), route.upstreamRepository(), tag);
    if (record.isEmpty()) {
      return Optional.empty();
    }
    Optional<TagRecord.Entry> entry = record.get().acceptable(accept);
    if (entry.isEmpty()) {
      return Optional.empty();
    }
    Digest digest = Digest.parse(entry.get().digest());
    return load(route, digest, entry.get().mediaType())
        .map(manifest -> new Cached(record.get(), entry.get(), manifest));
  }

  private Optional<Manifest> load(Route route, Digest digest, String mediaType) {
    try {
      Optional<StoredBlob> stored = store.get(digest);
      if (stored.isEmpty() || stored.get().size() > Manifest.MAX_SIZE) {
        hot.invalidate(digest);
        return Optional.empty();
      }
      byte[] bytes = hot.getIfPresent(digest);
      if (bytes != null) {
        return Optional.of(new Manifest(digest, mediaType, bytes));
      }
      byte[] read = Files.readAllBytes(stored.get().path());
      hot.put(digest, read);
      return Optional.of(new Manifest(digest, mediaType, read));
    } catch (NoSuchFileException e) {
      hot.invalidate(digest);
      return Optional.empty();
    } catch (IOException e) {
      throw new StorageException(
          "cannot read cached manifest " + digest + " of " + route.upstreamName(), e);
    }
  }
}
