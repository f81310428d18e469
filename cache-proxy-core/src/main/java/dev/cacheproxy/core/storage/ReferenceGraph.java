/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.storage;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.internal.store.StoreScan;
import dev.cacheproxy.core.internal.store.StoreScan.ScannedManifest;
import dev.cacheproxy.core.spi.StoredBlob;
import dev.cacheproxy.rules.RepositoryName;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which repositories reference each stored blob, from one {@link StoreScan}. A manifest record
 * references its own manifest blob, the blobs of the manifest (config and layers) and the blobs of
 * its child manifests (an index's platform manifests); what a child manifest references counts only
 * through the child's own record, as for eviction. Dangling records reference nothing.
 */
final class ReferenceGraph {

  private record Repository(String registry, RepositoryName repository) {}

  /** What one repository's records add up to. */
  private static final class Tally {
    int manifests;
    long lastPulledMillis;
    @Nullable String rule;
    long ruleMillis = -1;
    final Set<Digest> references = new HashSet<>();
  }

  private final StoreScan scan;
  private final Map<Repository, Tally> repositories = new LinkedHashMap<>();
  private final Map<Digest, Set<Repository>> owners = new HashMap<>();

  private ReferenceGraph(StoreScan scan) {
    this.scan = scan;
  }

  /** Builds the graph of a scan. */
  static ReferenceGraph of(StoreScan scan) {
    ReferenceGraph graph = new ReferenceGraph(scan);
    for (ScannedManifest manifest : scan.manifests()) {
      graph.add(manifest);
    }
    return graph;
  }

  private void add(ScannedManifest manifest) {
    Repository repository = new Repository(manifest.registry().host(), manifest.repository());
    Tally tally = repositories.computeIfAbsent(repository, r -> new Tally());
    tally.manifests++;
    long pulled = manifest.record().lastPulledMillis();
    tally.lastPulledMillis = Math.max(tally.lastPulledMillis, pulled);
    String rule = manifest.record().rule();
    if (rule != null && pulled > tally.ruleMillis) {
      tally.rule = rule;
      tally.ruleMillis = pulled;
    }
    reference(repository, tally, manifest.digest());
    manifest.references().blobs().forEach(d -> reference(repository, tally, d));
    manifest.references().manifests().forEach(d -> reference(repository, tally, d));
  }

  private void reference(Repository repository, Tally tally, Digest digest) {
    tally.references.add(digest);
    owners.computeIfAbsent(digest, d -> new HashSet<>(2)).add(repository);
  }

  /** The stored blobs no manifest record references, in digest order. */
  List<StoredBlob> unreferenced() {
    List<StoredBlob> found = new ArrayList<>();
    for (StoredBlob blob : scan.blobs().values()) {
      if (!owners.containsKey(blob.digest())) {
        found.add(blob);
      }
    }
    found.sort(Comparator.comparing(StoredBlob::digest));
    return found;
  }

  /** The usage per repository, largest first, and in total. */
  UsageReport usage() {
    List<RepositoryUsage> usages = new ArrayList<>(repositories.size());
    repositories.forEach((repository, tally) -> {
      long bytes = 0;
      long exclusive = 0;
      for (Digest digest : tally.references) {
        StoredBlob blob = scan.blobs().get(digest);
        if (blob == null) {
          continue;
        }
        bytes += blob.size();
        Set<Repository> referencing = owners.get(digest);
        if (referencing != null && referencing.size() == 1) {
          exclusive += blob.size();
        }
      }
      usages.add(
          new RepositoryUsage(
              repository.registry(),
              repository.repository(),
              tally.rule,
              tally.manifests,
              bytes,
              exclusive,
              tally.lastPulledMillis > 0 ? Instant.ofEpochMilli(tally.lastPulledMillis) : null));
    });
    usages.sort(
        Comparator.comparingLong(RepositoryUsage::bytes)
            .reversed()
            .thenComparing(RepositoryUsage::registry)
            .thenComparing(RepositoryUsage::repository));
    long blobBytes = 0;
    for (StoredBlob blob : scan.blobs().values()) {
      blobBytes += blob.size();
    }
    List<StoredBlob> orphans = unreferenced();
    return new UsageReport(
        usages,
        scan.blobs().size(),
        blobBytes,
        orphans.size(),
        orphans.stream().mapToLong(StoredBlob::size).sum());
  }
}
