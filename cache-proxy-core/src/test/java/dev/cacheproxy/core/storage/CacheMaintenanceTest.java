/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cacheproxy.core.StorageException;
import dev.cacheproxy.core.internal.manifest.RepositoryIndex;
import dev.cacheproxy.core.internal.store.DataDirectoryLock;
import dev.cacheproxy.core.internal.store.FileSystemBlobStore;
import dev.cacheproxy.core.spi.StoredBlob;
import dev.cacheproxy.core.storage.VerifyReport.CorruptBlob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CacheMaintenance} on a real {@link FileSystemBlobStore} and {@link RepositoryIndex}.
 *
 * <p>The cache ({@link TestCache}): {@code docker.io/library/app} holds an index with two platform
 * manifests, {@code ghcr.io/acme/tool} one image manifest sharing a layer with both platforms, two
 * orphan blobs and a dangling record.
 */
class CacheMaintenanceTest {

  @TempDir Path dir;

  private TestCache cache;
  private CacheMaintenance maintenance;

  @BeforeEach
  void populate() throws IOException {
    cache = TestCache.populate(dir);
    maintenance = CacheMaintenance.open(dir);
  }

  @Test
  void open_missingDirectory_refused() {
    assertThatThrownBy(() -> CacheMaintenance.open(dir.resolve("nope")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("there is no data directory at " + dir.resolve("nope"));
  }

  @Test
  void open_folderThatIsNoDataDirectory_refusedAndLeftAlone() throws IOException {
    Path other = Files.createDirectory(dir.resolve("other"));

    assertThatThrownBy(() -> CacheMaintenance.open(other))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a cache-proxy data directory");
    try (var files = Files.list(other)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void verify_intactCache_checksEveryBlob() {
    VerifyReport report = maintenance.verify(false, ProgressListener.NONE);

    assertThat(report.blobs()).isEqualTo(13);
    assertThat(report.bytes()).isEqualTo(cache.totalBytes());
    assertThat(report.corrupt()).isEmpty();
    assertThat(report.intact()).isTrue();
  }

  @Test
  void verify_overwrittenLayer_reportedWithoutChangingAnything() throws IOException {
    StoredBlob layer = cache.layer1;
    cache.corrupt(layer);

    VerifyReport report = maintenance.verify(false, ProgressListener.NONE);

    assertThat(report.corrupt())
        .singleElement()
        .satisfies(c -> {
          assertThat(c.digest()).isEqualTo(layer.digest());
          assertThat(c.size()).isEqualTo(layer.size());
          assertThat(c.path()).isEqualTo(layer.path());
          assertThat(c.problem()).startsWith("content hashes to sha256:");
        });
    assertThat(report.repaired()).isFalse();
    assertThat(report.intact()).isFalse();
    assertThat(report.corruptBytes()).isEqualTo(layer.size());
    assertThat(layer.path()).exists();
  }

  @Test
  void verify_largeBlobCorruptPastFirstBuffer_foundAndProgressReportedWithinIt()
      throws IOException {
    StoredBlob big = cache.put(TestCache.randomBytes(BlobCheck.BUFFER_SIZE * 2 + 123, 99));
    byte[] content = Files.readAllBytes(big.path());
    content[BlobCheck.BUFFER_SIZE + 7] ^= 1;
    Files.write(big.path(), content);
    List<long[]> calls = new ArrayList<>();

    VerifyReport report =
        maintenance.verify(
            false,
            (blobs, blobTotal, bytes, byteTotal) -> {
              calls.add(new long[] {blobs, blobTotal, bytes, byteTotal});
            });

    assertThat(report.corrupt()).extracting(CorruptBlob::digest).containsExactly(big.digest());
    long total = cache.totalBytes() + big.size();
    assertThat(calls.get(0)).containsExactly(0, 14, 0, total);
    assertThat(calls.get(calls.size() - 1)).containsExactly(14, 14, total, total);
    for (int i = 1; i < calls.size(); i++) {
      assertThat(calls.get(i)[0]).isGreaterThanOrEqualTo(calls.get(i - 1)[0]);
      assertThat(calls.get(i)[2]).isGreaterThanOrEqualTo(calls.get(i - 1)[2]);
    }
    List<StoredBlob> order = cache.allBlobs();
    int index = order.indexOf(big);
    long before = cache.sizeOf(order.subList(0, index));
    assertThat(calls)
        .as("progress inside the big blob")
        .anySatisfy(c -> {
          assertThat(c[0]).isEqualTo(index);
          assertThat(c[2]).isStrictlyBetween(before, before + big.size());
        });
  }

  @Test
  void verify_repair_deletesCorruptManifestItsRecordAndTags() throws IOException {
    cache.corrupt(cache.toolManifest);
    cache.tag(TestCache.GHCR, TestCache.TOOL, "1.0", cache.toolManifest.digest());

    VerifyReport report = maintenance.verify(true, ProgressListener.NONE);

    assertThat(report.repaired()).isTrue();
    assertThat(report.intact()).isTrue();
    assertThat(report.corrupt())
        .extracting(CorruptBlob::digest)
        .containsExactly(cache.toolManifest.digest());
    assertThat(report.removedManifests())
        .containsExactly(
            new CachedManifest("ghcr.io", TestCache.TOOL, cache.toolManifest.digest()));
    assertThat(report.removedTags()).containsExactly("ghcr.io/acme/tool:1.0");
    assertThat(cache.toolManifest.path()).doesNotExist();
    RepositoryIndex index = new RepositoryIndex(dir.resolve("repositories"));
    assertThat(index.manifest(TestCache.GHCR, TestCache.TOOL, cache.toolManifest.digest()))
        .isEmpty();
    assertThat(index.tags(TestCache.GHCR, TestCache.TOOL)).isEmpty();
    assertThat(maintenance.verify(false, ProgressListener.NONE).corrupt()).isEmpty();
  }

  @Test
  void verify_repairCorruptLayer_keepsTheRecordsThatNeedIt() throws IOException {
    cache.corrupt(cache.sharedLayer);

    VerifyReport report = maintenance.verify(true, ProgressListener.NONE);

    assertThat(report.corrupt())
        .extracting(CorruptBlob::digest)
        .containsExactly(cache.sharedLayer.digest());
    assertThat(report.removedManifests()).isEmpty();
    assertThat(cache.sharedLayer.path()).doesNotExist();
    assertThat(maintenance.usage().repositories()).hasSize(2);
  }

  @Test
  void gc_dryRun_listsOnlyUnreferencedBlobsAndDanglingRecords_removesNothing() {
    GcReport report = maintenance.gc(true);

    assertThat(report.dryRun()).isTrue();
    assertThat(report.blobs())
        .containsExactlyInAnyOrder(cache.orphan1, cache.orphan2)
        .isSortedAccordingTo((a, b) -> a.digest().compareTo(b.digest()));
    assertThat(report.bytes()).isEqualTo(cache.orphan1.size() + cache.orphan2.size());
    assertThat(report.danglingManifests())
        .containsExactly(new CachedManifest("ghcr.io", TestCache.TOOL, cache.danglingDigest));
    assertThat(report.blobs()).doesNotContain(cache.sharedLayer);
    assertThat(cache.orphan1.path()).exists();
    assertThat(cache.orphan2.path()).exists();
    assertThat(
            new RepositoryIndex(dir.resolve("repositories"), false)
                .manifest(TestCache.GHCR, TestCache.TOOL, cache.danglingDigest))
        .isPresent();
  }

  @Test
  void gc_run_deletesUnreferencedBlobsDanglingRecordsAndTemporaryFiles() throws IOException {
    cache.tag(TestCache.GHCR, TestCache.TOOL, "old", cache.danglingDigest);
    Path leftover = Files.write(dir.resolve("blobs/_tmp/0123-crash.tmp"), new byte[10]);

    GcReport report = maintenance.gc(false);

    assertThat(report.dryRun()).isFalse();
    assertThat(report.blobs()).containsExactlyInAnyOrder(cache.orphan1, cache.orphan2);
    assertThat(report.bytes()).isEqualTo(cache.orphan1.size() + cache.orphan2.size());
    assertThat(report.danglingManifests()).hasSize(1);
    assertThat(report.removedTags()).containsExactly("ghcr.io/acme/tool:old");
    assertThat(report.temporaryFiles()).isEqualTo(1);
    assertThat(report.temporaryBytes()).isEqualTo(10);
    assertThat(leftover).doesNotExist();
    assertThat(cache.orphan1.path()).doesNotExist();
    assertThat(cache.orphan2.path()).doesNotExist();
    assertThat(cache.sharedLayer.path()).exists();
    GcReport again = maintenance.gc(true);
    assertThat(again.blobs()).isEmpty();
    assertThat(again.danglingManifests()).isEmpty();
    assertThat(maintenance.verify(false, ProgressListener.NONE).blobs()).isEqualTo(11);
  }

  @Test
  void usage_exactPerRepositoryAndTotals() {
    UsageReport usage = maintenance.usage();

    long shared = cache.sharedLayer.size();
    long appBytes = cache.sizeOf(cache.appBlobs());
    long toolBytes = cache.sizeOf(cache.toolBlobs());
    assertThat(usage.repositories())
        .containsExactly(
            new RepositoryUsage(
                "docker.io",
                TestCache.APP,
                "hub",
                3,
                appBytes,
                appBytes - shared,
                Instant.ofEpochMilli(3_000)),
            new RepositoryUsage(
                "ghcr.io", TestCache.TOOL, null, 1, toolBytes, toolBytes - shared, null));
    assertThat(usage.blobs()).isEqualTo(13);
    assertThat(usage.blobBytes()).isEqualTo(cache.totalBytes());
    assertThat(usage.orphans()).isEqualTo(2);
    assertThat(usage.orphanBytes()).isEqualTo(cache.orphan1.size() + cache.orphan2.size());
  }

  @Test
  void gcAndRepair_whileTheLockIsHeld_refusedSayingAServerRuns() throws IOException {
    try (DataDirectoryLock lock = DataDirectoryLock.acquire(dir)) {
      assertThatThrownBy(() -> maintenance.gc(false))
          .isInstanceOf(StorageException.class)
          .hasMessageStartingWith("cannot run gc: a cache-proxy server")
          .hasMessageContaining("is running on the data directory " + dir.toAbsolutePath())
          .hasMessageContaining("stop it first");
      assertThatThrownBy(() -> maintenance.verify(true, ProgressListener.NONE))
          .isInstanceOf(StorageException.class)
          .hasMessageStartingWith("cannot run verify --repair: a cache-proxy server");

      assertThat(maintenance.gc(true).blobs()).hasSize(2);
      assertThat(maintenance.verify(false, ProgressListener.NONE).blobs()).isEqualTo(13);
      assertThat(maintenance.usage().repositories()).hasSize(2);
    }
    assertThat(cache.orphan1.path()).exists();
    assertThat(maintenance.gc(false).blobs()).hasSize(2);
  }
}
