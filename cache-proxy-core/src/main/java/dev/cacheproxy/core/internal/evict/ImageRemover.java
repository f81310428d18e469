/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.evict;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.events.CacheEvent;
import dev.cacheproxy.core.events.CacheEventListener;
import dev.cacheproxy.core.internal.events.EventDispatcher;
import dev.cacheproxy.core.internal.manifest.RepositoryIndex;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes an image from the cache, for eviction and purges: its tags, then its records from the
 * index, then its records from the ledger, then each of its blobs that no retained record
 * references and no lease holds. A crash in between leaves orphan blobs (deleted by the next
 * eviction pass or {@code gc}), never a record without its manifest. The caller holds the ledger's
 * structure lock. Each removal is reported as a {@code cache.evict} event with its reason.
 */
final class ImageRemover {

  private static final Logger LOG = LoggerFactory.getLogger(ImageRemover.class);

  /**
   * What a removal did.
   *
   * @param tags how many tags changed (removed or left with fewer resolutions)
   * @param blobs how many blobs were deleted
   * @param bytes the bytes they took
   */
  record Removed(int tags, int blobs, long bytes) {}

  private ImageRemover() {}

  /** Removes {@code image} and reports nothing. */
  static Removed remove(CacheLedger ledger, RepositoryIndex index, ImageGraph.Image image) {
    return remove(ledger, index, image, EventDispatcher.NONE, Clock.systemUTC(), "");
  }

  /**
   * Removes {@code image} and reports it to {@code events} as a {@link CacheEvent.CacheEvict} with
   * {@code reason} ({@value CacheEvent.CacheEvict#EVICTION} or {@value
   * CacheEvent.CacheEvict#PURGE}), timed by {@code clock}; an empty reason reports nothing.
   */
  static Removed remove(
      CacheLedger ledger,
      RepositoryIndex index,
      ImageGraph.Image image,
      CacheEventListener events,
      Clock clock,
      String reason) {
    int tags = 0;
    for (ManifestEntry member : image.members()) {
      RecordKey key = member.key;
      tags += index.removeTagsPointingTo(key.registryOf(), key.repository(), key.digest()).size();
    }
    for (ManifestEntry member : image.members()) {
      RecordKey key = member.key;
      index.deleteManifest(key.registryOf(), key.repository(), key.digest());
    }
    List<Digest> unreferenced = ledger.remove(image.members());
    int deleted = 0;
    long freed = 0;
    for (Digest digest : unreferenced) {
      long size = deleteIfUnused(ledger, digest);
      if (size >= 0) {
        deleted++;
        freed += size;
      }
    }
    if (!reason.isEmpty()) {
      RecordKey root = image.root().key;
      List<Digest> manifests = new ArrayList<>();
      for (ManifestEntry member : image.members()) {
        manifests.add(member.key.digest());
      }
      EventDispatcher.emit(
          events,
          new CacheEvent.CacheEvict(
              clock.instant(),
              root.registry(),
              root.repository(),
              manifests,
              deleted,
              freed,
              reason));
    }
    return new Removed(tags, deleted, freed);
  }

  /** Deletes a blob nothing holds; returns the bytes freed, -1 if kept or if deleting failed. */
  static long deleteIfUnused(CacheLedger ledger, Digest digest) {
    try {
      return ledger.blobs().deleteIfUnused(digest);
    } catch (IOException e) {
      LOG.warn("storage: cannot delete blob {}: {}", digest, e.toString());
      return -1;
    }
  }
}
