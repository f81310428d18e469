/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.manifest;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What the cache knows of one tag: the manifests it resolved to, one per media type (a tag can be
 * resolved differently for clients that accept different types), each with when it was last
 * confirmed with the upstream.
 *
 * @param entries the known resolutions, newest check first
 */
record TagRecord(@JsonProperty("entries") List<Entry> entries) {

  TagRecord {
    entries = List.copyOf(entries);
  }

  /**
   * One resolution of a tag.
   *
   * @param digest the manifest digest, as text
   * @param mediaType the manifest's media type
   * @param checkedAtMillis when the upstream last confirmed it (epoch milliseconds)
   */
  record Entry(
      @JsonProperty("digest") String digest,
      @JsonProperty("mediaType") String mediaType,
      @JsonProperty("checkedAt") long checkedAtMillis) {}

  /** The newest entry a client sending {@code accept} can take. */
  Optional<Entry> acceptable(List<String> accept) {
    return entries.stream()
        .filter(e -> MediaTypes.acceptable(e.mediaType(), accept))
        .max(Comparator.comparingLong(Entry::checkedAtMillis));
  }

  /** A copy with {@code entry} replacing any entry of the same media type. */
  TagRecord with(Entry entry) {
    List<Entry> list = new ArrayList<>(entries.size() + 1);
    list.add(entry);
    for (Entry e : entries) {
      if (!e.mediaType().equals(entry.mediaType())) {
        list.add(e);
      }
    }
    return new TagRecord(list);
  }
}
