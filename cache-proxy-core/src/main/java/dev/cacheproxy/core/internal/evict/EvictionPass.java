/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.evict;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.StorageException;
import dev.cacheproxy.core.events.CacheEvent;
import dev.cacheproxy.core.events.CacheEventListener;
import dev.cacheproxy.core.internal.events.EventDispatcher;
import dev.cacheproxy.core.internal.evict.ImageGraph.Image;
import dev.cacheproxy.core.internal.manifest.RepositoryIndex;
import dev.cacheproxy.core.storage.ByteSizes;
import dev.cacheproxy.core.storage.StorageSettings;
import dev.cacheproxy.rules.Retention;
import dev.cacheproxy.rules.RuleSet;
import java.time.Clock;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One eviction pass: deletes orphan blobs (least recently used first), then evicts images least
 * recently pulled first, skipping those their rule's {@link Retention} keeps, until usage is at
 * most the low watermark and twice the free-space floor is free, or nothing evictable is left.
 *
 * <p>Evicting an image removes its tags, then its records from the index, then its records from the
 * ledger, then each of its blobs that no retained record references and no lease holds. A crash in
 * between leaves orphan blobs (deleted first by the next pass), never a record without its
 * manifest. The structure lock is held for one image at a time; each image is looked at again under
 * it, and skipped if it was pulled, or became a child, since the pass listed it.
 *
 * <p>Not thread-safe: one pass at a time (the {@link Evictor} makes sure).
 */
final class EvictionPass {

  private static final Logger LOG = LoggerFactory.getLogger(EvictionPass.class);

  /**
   * What a pass did.
   *
   * @param images how many images it evicted
   * @param orphans how many orphan blobs it deleted
   * @param bytes how many bytes of blobs it deleted
   * @param reachedTarget whether usage and free space ended within the target
   */
  record Result(int images, int orphans, long bytes, boolean reachedTarget) {}

  private final CacheLedger ledger;
  private final RepositoryIndex index;
  private final StorageSettings settings;
  private final RuleSet rules;
  private final long nowMillis;
  private final BooleanSupplier stopped;
  private final CacheEventListener events;
  private final Clock clock;
  private int images;
  private int orphans;
  private long bytes;

  EvictionPass(
      CacheLedger ledger,
      RepositoryIndex index,
      StorageSettings settings,
      RuleSet rules,
      long nowMillis,
      BooleanSupplier stopped) {
    this(
        ledger,
        index,
        settings,
        rules,
        nowMillis,
        stopped,
        EventDispatcher.NONE,
        Clock.systemUTC());
  }

  /** A pass that reports each image it evicts to {@code events}, timed by {@code clock}. */
  EvictionPass(
      CacheLedger ledger,
      RepositoryIndex index,
      StorageSettings settings,
      RuleSet rules,
      long nowMillis,
      BooleanSupplier stopped,
      CacheEventListener events,
      Clock clock) {
    this.events = events;
    this.clock = clock;
    this.ledger = ledger;
    this.index = index;
    this.settings = settings;
    this.rules = rules;
    this.nowMillis = nowMillis;
    this.stopped = stopped;
  }

  /** Whether usage or free space is bad enough to start a pass. */
  static boolean triggered(CacheLedger ledger, StorageSettings settings) {
    return ledger.usedBytes() > settings.highBytes()
        || (settings.minFreeSpace() > 0 && ledger.usableSpace() < settings.minFreeSpace());
  }

  /** Whether usage or free space is still outside the target a pass works towards. */
  static boolean overTarget(CacheLedger ledger, StorageSettings settings) {
    if (ledger.usedBytes() > settings.lowBytes()) {
      return true;
    }
    long floor = settings.minFreeSpace();
    return floor > 0 && ledger.usableSpace() < (floor > Long.MAX_VALUE / 2 ? floor : 2 * floor);
  }

  Result run() {
    if (more()) {
      evictOrphans();
    }
    if (more()) {
      evictImages();
    }
    return new Result(images, orphans, bytes, !overTarget(ledger, settings));
  }

  private boolean more() {
    return !stopped.getAsBoolean() && overTarget(ledger, settings);
  }

  private void evictOrphans() {
    long freed = 0;
    for (BlobTable.Orphan orphan : ledger.blobs().orphans()) {
      if (!more()) {
        break;
      }
      long deleted = deleteIfUnused(orphan.digest());
      if (deleted >= 0) {
        orphans++;
        freed += deleted;
      }
    }
    bytes += freed;
    if (orphans > 0) {
      LOG.info(
          "storage: evicted {} orphan blobs ({}) that no cached manifest references",
          orphans,
          ByteSizes.format(freed));
    }
  }

  private void evictImages() {
    for (Image candidate : ImageGraph.images(ledger)) {
      if (!more()) {
        return;
      }
      if (retained(candidate)) {
        continue;
      }
      try {
        evict(candidate);
      } catch (StorageException e) {
        LOG.warn(
            "storage: cannot evict {}: {}; stopping this eviction pass",
            candidate.root().key,
            e.getMessage());
        return;
      }
    }
  }

  private void evict(Image candidate) {
    ledger.structure().lock();
    try {
      Image image = ImageGraph.imageOf(ledger, candidate.root());
      if (image == null || image.lastPull() > candidate.lastPull() || retained(image)) {
        return;
      }
      ImageRemover.Removed removed =
          ImageRemover.remove(ledger, index, image, events, clock, CacheEvent.CacheEvict.EVICTION);
      images++;
      bytes += removed.bytes();
      LOG.info(
          "storage: evicted {} ({} manifests, {} blobs, {}), last pulled {}",
          image.root().key,
          image.members().size(),
          removed.blobs(),
          ByteSizes.format(removed.bytes()),
          image.lastPull() > 0 ? Instant.ofEpochMilli(image.lastPull()) : "never");
    } finally {
      ledger.structure().unlock();
    }
  }

  /** Whether a rule its records were pulled through keeps the image now. */
  private boolean retained(Image image) {
    for (String name : image.rules()) {
      Retention retention =
          rules.rule(name).map(rule -> rule.policy().retention()).orElse(Retention.NONE);
      if (retention.keeps(image.lastPull(), nowMillis)) {
        return true;
      }
    }
    return false;
  }

  /** Deletes a blob nothing holds; returns the bytes freed, -1 if kept or if deleting failed. */
  private long deleteIfUnused(Digest digest) {
    return ImageRemover.deleteIfUnused(ledger, digest);
  }
}
