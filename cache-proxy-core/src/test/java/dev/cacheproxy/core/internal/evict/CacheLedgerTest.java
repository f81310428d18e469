/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.evict;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.internal.evict.BlobLeases.Lease;
import dev.cacheproxy.core.internal.evict.TestCache.Image;
import dev.cacheproxy.core.spi.StoredBlob;
import dev.cacheproxy.core.storage.RepositoryUsage;
import dev.cacheproxy.core.storage.UsageReport;
import dev.cacheproxy.core.testing.TestClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ledger: usage, leases against deletion, recovery from the files, the usage report. */
class CacheLedgerTest {

  private static final int LAYER = 10_000;

  @TempDir Path dir;
  private final TestClock clock = new TestClock();

  @Test
  void trackingStore_countsEachCommitOnceAndEachDelete() throws IOException {
    TestCache cache = new TestCache(dir, clock, true);
    byte[] content = new byte[1234];
    Digest digest = cache.put(content);
    cache.put(content);

    assertThat(cache.ledger.usedBytes()).isEqualTo(1234);
    assertThat(cache.ledger.storedBlobs()).isEqualTo(1);

    assertThat(cache.store.delete(digest)).isTrue();
    assertThat(cache.store.delete(digest)).isFalse();
    assertThat(cache.ledger.usedBytes()).isZero();
    assertThat(cache.ledger.storedBlobs()).isZero();
    assertThat(cache.ledger.blobs().entries()).isEmpty();
  }

  @Test
  void recover_rebuildsUsageReferencesAndOrphans() {
    TestCache before = new TestCache(dir, clock, true);
    Digest shared = before.blob(LAYER);
    Image a = before.imageOf("plain/a", "plain", List.of(shared, before.blob(LAYER)));
    clock.advance(Duration.ofMinutes(1));
    Image b = before.imageOf("keep/b", "keep", List.of(shared));
    Digest orphan = before.blob(500);

    TestCache after = new TestCache(dir, clock, true);

    assertThat(after.ledger.usedBytes()).isEqualTo(before.ledger.usedBytes());
    assertThat(after.ledger.storedBlobs()).isEqualTo(before.ledger.storedBlobs());
    assertThat(after.ledger.manifests()).isEqualTo(2);
    assertThat(after.ledger.blobs().entry(shared).refs).isEqualTo(2);
    assertThat(after.ledger.blobs().orphans())
        .extracting(BlobTable.Orphan::digest)
        .containsExactly(orphan);
    UsageReport report = after.ledger.usageReport();
    assertThat(report.orphans()).isEqualTo(1);
    assertThat(report.orphanBytes()).isEqualTo(500);
    assertThat(report.blobBytes()).isEqualTo(before.ledger.usedBytes());
    RepositoryUsage usageA = usage(report, "plain/a");
    RepositoryUsage usageB = usage(report, "keep/b");
    assertThat(usageA.manifests()).isEqualTo(1);
    assertThat(usageA.rule()).isEqualTo("plain");
    assertThat(usageA.bytes() - usageA.exclusiveBytes()).isEqualTo(LAYER);
    assertThat(usageB.bytes() - usageB.exclusiveBytes()).isEqualTo(LAYER);
    assertThat(usageA.exclusiveBytes()).isEqualTo(size(after, a) - LAYER);
    assertThat(usageB.lastPullTime()).contains(clock.instant());
    assertThat(report.repositories().get(0).repository().value()).isEqualTo("plain/a");
    assertThat(b.blobs()).allMatch(after::stored);
  }

  @Test
  void recover_recordWithoutManifestBlob_isRemoved() throws IOException {
    TestCache before = new TestCache(dir, clock, true);
    Image image = before.image("plain/app", "plain", LAYER);
    Files.delete(before.raw.get(image.manifest()).orElseThrow().path());

    TestCache after = new TestCache(dir, clock, true);

    assertThat(after.recorded(image)).isFalse();
    assertThat(after.ledger.manifests()).isZero();
    assertThat(after.ledger.blobs().orphans()).hasSize(2);
    assertThat(after.ledger.usedBytes()).isEqualTo(LAYER + 100);
  }

  @Test
  void lease_againstDeletion_readerThatFindsTheBlobCanReadIt() throws Exception {
    TestCache cache = new TestCache(dir, clock, true);
    byte[] content = new byte[4096];
    Digest digest = cache.put(content);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicInteger deleted = new AtomicInteger();
    AtomicInteger found = new AtomicInteger();
    Thread reader =
        Thread.ofPlatform()
            .start(() -> {
              try {
                for (int i = 0; i < 200_000 && (deleted.get() < 50 || found.get() < 50); i++) {
                  try (Lease lease = cache.ledger.acquire(digest)) {
                    Optional<StoredBlob> blob = cache.store.get(digest);
                    if (blob.isPresent()) {
                      found.incrementAndGet();
                      assertThat(Files.readAllBytes(blob.get().path())).isEqualTo(content);
                    }
                  }
                  Thread.yield();
                }
              } catch (Throwable t) {
                failure.set(t);
              }
            });
    while (reader.isAlive()) {
      if (cache.ledger.blobs().deleteIfUnused(digest) >= 0) {
        deleted.incrementAndGet();
        cache.put(content);
      }
    }
    reader.join();

    assertThat(failure.get()).isNull();
    assertThat(deleted.get()).isGreaterThanOrEqualTo(50);
    assertThat(found.get()).isGreaterThanOrEqualTo(50);
    assertThat(cache.ledger.leasedBlobs()).isZero();
    assertThat(cache.ledger.usedBytes()).isEqualTo(content.length);
    assertThat(cache.ledger.blobs().deleteIfUnused(digest)).isEqualTo(content.length);
    assertThat(cache.ledger.usedBytes()).isZero();
  }

  @Test
  void pulled_withoutAccessTracking_changesNothing() {
    TestCache cache = new TestCache(dir, clock, false);
    Image image = cache.image("plain/app", "plain", LAYER);
    clock.advance(Duration.ofMinutes(1));

    cache.pull(image, "keep");

    assertThat(cache.ledger.flush(cache.index)).isZero();
  }

  private static RepositoryUsage usage(UsageReport report, String repository) {
    return report.repositories().stream()
        .filter(r -> r.repository().value().equals(repository))
        .findFirst()
        .orElseThrow();
  }

  private static long size(TestCache cache, Image image) {
    long total = 0;
    for (Digest digest : image.blobs()) {
      total += cache.ledger.blobs().entry(digest).size;
    }
    return total;
  }
}
