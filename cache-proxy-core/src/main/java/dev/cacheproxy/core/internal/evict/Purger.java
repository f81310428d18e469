/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.evict;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.Reference;
import dev.cacheproxy.core.Tag;
import dev.cacheproxy.core.events.CacheEvent;
import dev.cacheproxy.core.events.CacheEventListener;
import dev.cacheproxy.core.internal.events.EventDispatcher;
import dev.cacheproxy.core.internal.manifest.RepositoryIndex;
import dev.cacheproxy.core.storage.PurgeReport;
import dev.cacheproxy.rules.Registry;
import dev.cacheproxy.rules.RepositoryName;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Purges cached content on an operator's request, whatever the retention rules say: a whole
 * repository, the manifests a tag resolves to, or one manifest by digest. Each is removed as an
 * image (with the platform manifests and blobs only it holds) exactly as eviction removes one, so
 * blobs another image still uses stay. A purged tag is asked for upstream again on its next pull.
 * Blobs a client is reading at that moment are kept until it is done and collected later.
 *
 * <p>Thread-safe: each purge runs under the ledger's structure lock.
 */
public final class Purger {

  private static final Logger LOG = LoggerFactory.getLogger(Purger.class);

  private final CacheLedger ledger;
  private final RepositoryIndex index;
  private final CacheEventListener events;
  private final Clock clock;

  /** A purger over the cache's ledger and index. */
  public Purger(CacheLedger ledger, RepositoryIndex index) {
    this(ledger, index, EventDispatcher.NONE, Clock.systemUTC());
  }

  /**
   * A purger that reports each image it removes to {@code events} ({@code cache.evict} with reason
   * {@value CacheEvent.CacheEvict#PURGE}), timed by {@code clock}.
   */
  public Purger(CacheLedger ledger, RepositoryIndex index, CacheEventListener events, Clock clock) {
    this.ledger = ledger;
    this.index = index;
    this.events = events;
    this.clock = clock;
  }

  /**
   * Purges {@code repository} of {@code registry}, or only {@code reference} of it.
   *
   * @param reference a tag, a digest, or null for the whole repository
   */
  public PurgeReport purge(
      Registry registry, RepositoryName repository, @Nullable Reference reference) {
    String what =
        registry.host()
            + "/"
            + repository
            + (reference == null ? "" : (reference instanceof Digest ? "@" : ":") + reference);
    int manifests = 0;
    int tags = 0;
    int blobs = 0;
    long bytes = 0;
    ledger.structure().lock();
    try {
      List<Digest> roots = new ArrayList<>();
      if (reference == null) {
        for (String tag : index.tags(registry, repository)) {
          if (index.deleteTag(registry, repository, Tag.parse(tag))) {
            tags++;
          }
        }
      } else if (reference instanceof Tag tag) {
        roots.addAll(index.tagDigests(registry, repository, tag));
        if (index.deleteTag(registry, repository, tag)) {
          tags++;
        }
      } else if (reference instanceof Digest digest) {
        roots.add(digest);
      }
      // Repeats: removing an index makes a child another index shared into a root of its own.
      for (boolean removedAny = true; removedAny; ) {
        removedAny = false;
        for (ManifestEntry entry : List.copyOf(ledger.records())) {
          RecordKey key = entry.key;
          boolean target =
              key.registry().equals(registry.host())
                  && key.repository().equals(repository)
                  && (reference == null || roots.contains(key.digest()));
          if (!target) {
            continue;
          }
          ImageGraph.Image image = ImageGraph.imageOf(ledger, entry);
          if (image == null) {
            continue; // a child of another cached index: it goes with that index
          }
          ImageRemover.Removed removed =
              ImageRemover.remove(ledger, index, image, events, clock, CacheEvent.CacheEvict.PURGE);
          manifests += image.members().size();
          tags += removed.tags();
          blobs += removed.blobs();
          bytes += removed.bytes();
          removedAny = reference == null;
        }
      }
    } finally {
      ledger.structure().unlock();
    }
    LOG.info(
        "storage: purged {}: {} manifests, {} tags, {} blobs, {} bytes",
        what,
        manifests,
        tags,
        blobs,
        bytes);
    return new PurgeReport(what, manifests, tags, blobs, bytes);
  }
}
