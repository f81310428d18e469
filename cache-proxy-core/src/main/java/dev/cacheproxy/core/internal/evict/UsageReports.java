/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.evict;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.storage.RepositoryUsage;
import dev.cacheproxy.core.storage.UsageReport;
import dev.cacheproxy.rules.RepositoryName;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link UsageReport} from the live ledger. The caller holds the ledger's structure lock,
 * so reference counts and records agree; sizes of blobs committed or deleted meanwhile may be a
 * moment old.
 */
final class UsageReports {

  private UsageReports() {}

  /** What one repository references, while the report is built. */
  private static final class Repository {
    final String registry;
    final RepositoryName name;
    final Set<Digest> blobs = new HashSet<>();
    int manifests;
    long lastPull;
    @Nullable String rule;

    Repository(String registry, RepositoryName name) {
      this.registry = registry;
      this.name = name;
    }
  }

  static UsageReport of(Collection<ManifestEntry> records, BlobTable blobs) {
    Map<String, Repository> repositories = new HashMap<>();
    for (ManifestEntry record : records) {
      RecordKey key = record.key;
      Repository repository =
          repositories.computeIfAbsent(
              key.registry() + "/" + key.repository(),
              k -> new Repository(key.registry(), key.repository()));
      repository.manifests++;
      repository.blobs.addAll(record.blobs);
      long pulled = record.lastPull;
      if (pulled >= repository.lastPull) {
        repository.lastPull = pulled;
        repository.rule = record.rule != null ? record.rule : repository.rule;
      }
    }
    Map<Digest, Integer> holders = new HashMap<>();
    for (Repository repository : repositories.values()) {
      for (Digest digest : repository.blobs) {
        holders.merge(digest, 1, Integer::sum);
      }
    }
    List<RepositoryUsage> usages = new ArrayList<>();
    for (Repository repository : repositories.values()) {
      long bytes = 0;
      long exclusive = 0;
      for (Digest digest : repository.blobs) {
        BlobEntry entry = blobs.entry(digest);
        long size = entry == null ? -1 : entry.size;
        if (size > 0) {
          bytes += size;
          if (holders.getOrDefault(digest, 0) == 1) {
            exclusive += size;
          }
        }
      }
      usages.add(
          new RepositoryUsage(
              repository.registry,
              repository.name,
              repository.rule,
              repository.manifests,
              bytes,
              exclusive,
              repository.lastPull > 0 ? Instant.ofEpochMilli(repository.lastPull) : null));
    }
    usages.sort(
        Comparator.comparingLong(RepositoryUsage::bytes)
            .reversed()
            .thenComparing(RepositoryUsage::registry)
            .thenComparing(RepositoryUsage::repository));
    long orphans = 0;
    long orphanBytes = 0;
    for (BlobTable.Orphan orphan : blobs.orphans()) {
      orphans++;
      orphanBytes += orphan.size();
    }
    return new UsageReport(usages, blobs.storedBlobs(), blobs.usedBytes(), orphans, orphanBytes);
  }
}
