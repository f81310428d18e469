/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.evict;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.internal.manifest.ManifestReferences;
import dev.cacheproxy.core.internal.manifest.RepositoryIndex.ManifestRecord;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A retained manifest record in the ledger: the blobs it holds (its own content, its config and
 * layers), its child manifests, and its pull time and rule, in memory and as last written to the
 * index.
 *
 * <p>Concurrency: the key and the references never change. {@code lastPull} and {@code rule} are
 * written without a lock by every pull (the last writer wins; both write "now"). The media type,
 * size and persisted fields change only under the ledger's structure lock; they are volatile so
 * that the flush can skip unchanged records without the lock.
 */
final class ManifestEntry {

  final RecordKey key;

  /** Every blob this record holds: its own manifest blob first, then what it references. */
  final List<Digest> blobs;

  /** Child manifests (of an index), in the same repository; never the record itself. */
  final List<Digest> children;

  volatile String mediaType;
  volatile long size;
  volatile long lastPull;
  volatile @Nullable String rule;
  volatile long persistedPull;
  volatile @Nullable String persistedRule;

  ManifestEntry(RecordKey key, ManifestRecord record, ManifestReferences references) {
    this.key = key;
    List<Digest> all = new ArrayList<>();
    all.add(key.digest());
    for (Digest blob : references.blobs()) {
      if (!blob.equals(key.digest())) {
        all.add(blob);
      }
    }
    this.blobs = List.copyOf(all);
    this.children = references.manifests().stream().filter(d -> !d.equals(key.digest())).toList();
    this.mediaType = record.mediaType();
    this.size = record.size();
    this.lastPull = record.lastPulledMillis();
    this.rule = record.rule();
    this.persistedPull = record.lastPulledMillis();
    this.persistedRule = record.rule();
  }

  /** Whether the pull time or rule changed since they were last written to the index. */
  boolean dirty() {
    String current = rule;
    return lastPull != persistedPull
        || (current == null ? persistedRule != null : !current.equals(persistedRule));
  }

  /** The record to write to the index now. */
  ManifestRecord toRecord() {
    return new ManifestRecord(mediaType, size, lastPull, rule);
  }
}
