/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.evict;

import dev.cacheproxy.core.Digest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Splits the ledger's records into images, the unit of eviction: a root (a record no retained
 * record of its repository lists as a child) with the child records only it holds, recursively. An
 * image's effective last pull is the latest of its records'. A child that several retained records
 * list stays until the last of them goes, and is then an image of its own.
 */
final class ImageGraph {

  /**
   * An image.
   *
   * @param root its root record
   * @param members the root and its exclusive children
   * @param lastPull the latest last pull of its members (epoch milliseconds)
   */
  record Image(ManifestEntry root, List<ManifestEntry> members, long lastPull) {

    /** The rules its members were last pulled through. */
    Set<String> rules() {
      Set<String> rules = new HashSet<>();
      for (ManifestEntry member : members) {
        String rule = member.rule;
        if (rule != null) {
          rules.add(rule);
        }
      }
      return rules;
    }
  }

  private ImageGraph() {}

  /** Every image, least recently pulled first; takes the ledger's structure lock. */
  static List<Image> images(CacheLedger ledger) {
    List<Image> images = new ArrayList<>();
    ledger.structure().lock();
    try {
      for (ManifestEntry entry : ledger.records()) {
        Image image = imageOf(ledger, entry);
        if (image != null) {
          images.add(image);
        }
      }
    } finally {
      ledger.structure().unlock();
    }
    images.sort(Comparator.comparingLong(Image::lastPull));
    return images;
  }

  /**
   * The image rooted at {@code root} now, or null if {@code root} is no longer retained or no
   * longer a root. The caller holds the ledger's structure lock.
   */
  static @Nullable Image imageOf(CacheLedger ledger, ManifestEntry root) {
    if (ledger.record(root.key) != root || ledger.parentCount(root.key) > 0) {
      return null;
    }
    List<ManifestEntry> members = new ArrayList<>();
    Set<RecordKey> seen = new HashSet<>();
    Deque<ManifestEntry> pending = new ArrayDeque<>();
    pending.push(root);
    seen.add(root.key);
    long lastPull = 0;
    while (!pending.isEmpty()) {
      ManifestEntry entry = pending.pop();
      members.add(entry);
      lastPull = Math.max(lastPull, entry.lastPull);
      for (Digest child : entry.children) {
        RecordKey key = entry.key.sibling(child);
        if (!seen.add(key)) {
          continue;
        }
        ManifestEntry childEntry = ledger.record(key);
        if (childEntry != null && ledger.parentCount(key) == 1) {
          pending.push(childEntry);
        }
      }
    }
    return new Image(root, List.copyOf(members), lastPull);
  }
}
