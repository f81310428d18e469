/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.core.CacheStatus;
import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.Manifest;
import dev.cacheproxy.core.ManifestResult;
import dev.cacheproxy.core.Tag;
import dev.cacheproxy.core.internal.evict.CacheLedger;
import dev.cacheproxy.core.internal.evict.TrackingBlobStore;
import dev.cacheproxy.core.internal.store.FileSystemBlobStore;
import dev.cacheproxy.core.spi.BlobStore;
import dev.cacheproxy.core.spi.BlobWriter;
import dev.cacheproxy.core.spi.StoredBlob;
import dev.cacheproxy.core.storage.UsageReport;
import dev.cacheproxy.rules.Registry;
import dev.cacheproxy.rules.RepositoryName;
import dev.cacheproxy.rules.Route;
import dev.cacheproxy.rules.Rule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cached side of manifest resolution: saving, recording, serving, and a full disk. */
class ManifestCacheTest {

  private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  private static final Registry REGISTRY = Registry.of("registry.test");
  private static final RepositoryName REPOSITORY = RepositoryName.of("team/app");
  private static final Route ROUTE =
      new Route(
          Rule.of("up", "up/*", "registry.test/*"),
          RepositoryName.of("up/team/app"),
          REGISTRY,
          REPOSITORY);
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path dir;
  private final AtomicInteger failures = new AtomicInteger();
  private RefusingStore disk;
  private RepositoryIndex index;
  private CacheLedger ledger;
  private ManifestCache cache;

  @BeforeEach
  void setUp() {
    disk = new RefusingStore(new FileSystemBlobStore(dir.resolve("blobs")));
    index = new RepositoryIndex(dir.resolve("repositories"));
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    ledger = CacheLedger.recover(disk, index, clock, true);
    cache =
        new ManifestCache(
            new TrackingBlobStore(ledger, () -> {}),
            index,
            clock,
            ledger,
            failures::incrementAndGet);
  }

  @Test
  void save_recordsTheManifestWithItsReferencesAndRule() {
    Digest layer = Digest.sha256("layer".getBytes(StandardCharsets.UTF_8));
    Manifest manifest = manifest("{\"layers\":[{\"digest\":\"" + layer + "\"}]}");

    assertThat(cache.save(ROUTE, manifest)).isTrue();

    assertThat(cache.loadByDigest(ROUTE, manifest.digest()))
        .get()
        .extracting(Manifest::content)
        .isEqualTo(manifest.content());
    RepositoryIndex.ManifestRecord record =
        index.manifest(REGISTRY, REPOSITORY, manifest.digest()).orElseThrow();
    assertThat(record.rule()).isEqualTo("up");
    assertThat(record.lastPulledMillis()).isEqualTo(NOW.toEpochMilli());
    UsageReport usage = ledger.usageReport();
    assertThat(usage.repositories())
        .singleElement()
        .satisfies(r -> {
          assertThat(r.manifests()).isEqualTo(1);
          assertThat(r.bytes()).isEqualTo(manifest.size());
        });
    assertThat(ledger.leasedBlobs()).isZero();
    assertThat(failures).hasValue(0);
  }

  @Test
  void save_diskFull_returnsFalseRecordsNothingAndReportsTheFailure() {
    Manifest manifest = manifest("{\"schemaVersion\":2}");
    disk.full = true;

    assertThat(cache.save(ROUTE, manifest)).isFalse();

    assertThat(failures).hasValue(1);
    assertThat(index.manifest(REGISTRY, REPOSITORY, manifest.digest())).isEmpty();
    assertThat(ledger.manifests()).isZero();
    assertThat(ledger.usedBytes()).isZero();
    assertThat(ledger.leasedBlobs()).isZero();
  }

  @Test
  void putTag_cannotWrite_warnsAndReportsTheFailure() throws IOException {
    Path temporary = dir.resolve("repositories/_tmp");
    Files.delete(temporary);
    Files.writeString(temporary, "a file where the index wants a folder");

    cache.putTag(ROUTE, Tag.parse("1.0"), new TagRecord(List.of()));

    assertThat(failures).hasValue(1);
  }

  @Test
  void loadByDigest_blobVanished_isAMiss() throws IOException {
    Manifest manifest = manifest("{\"schemaVersion\":2}");
    cache.save(ROUTE, manifest);
    Files.delete(disk.get(manifest.digest()).orElseThrow().path());

    assertThat(cache.loadByDigest(ROUTE, manifest.digest())).isEmpty();
  }

  @Test
  void loadByDigestFromMemory_afterSave_needsNoFile_untilALoadFindsItGone() throws IOException {
    Manifest manifest = manifest("{\"schemaVersion\":2,\"layers\":[]}");
    cache.save(ROUTE, manifest);

    assertThat(cache.loadByDigestFromMemory(ROUTE, manifest.digest()).orElseThrow().content())
        .isEqualTo(manifest.content());

    Files.delete(disk.get(manifest.digest()).orElseThrow().path());
    assertThat(cache.loadByDigestFromMemory(ROUTE, manifest.digest())).isPresent();
    assertThat(cache.loadByDigest(ROUTE, manifest.digest())).isEmpty();
    assertThat(cache.loadByDigestFromMemory(ROUTE, manifest.digest())).isEmpty();
  }

  @Test
  void loadByDigestFromMemory_withoutItsRecord_isEmpty() {
    Manifest manifest = manifest("{\"schemaVersion\":2,\"config\":{}}");
    cache.save(ROUTE, manifest);

    assertThat(
            cache.loadByDigestFromMemory(
                otherRule(RepositoryName.of("library/other")), manifest.digest()))
        .isEmpty();
  }

  /** A route by another rule to {@code repository} of the same registry. */
  private static Route otherRule(RepositoryName repository) {
    return new Route(
        Rule.of("other", "other/*", "registry.test/*"),
        ROUTE.clientRepository(),
        REGISTRY,
        repository);
  }

  @Test
  void served_touchesTheRecordWithoutWritingIt() {
    Manifest manifest = manifest("{\"schemaVersion\":2}");
    cache.save(ROUTE, manifest);
    ManifestResult result =
        cache.served(otherRule(REPOSITORY), new ManifestResult(manifest, CacheStatus.HIT));

    assertThat(result.status()).isEqualTo(CacheStatus.HIT);
    assertThat(index.manifest(REGISTRY, REPOSITORY, manifest.digest()).orElseThrow().rule())
        .isEqualTo("up");
    assertThat(ledger.flush(index)).isEqualTo(1);
    assertThat(index.manifest(REGISTRY, REPOSITORY, manifest.digest()).orElseThrow().rule())
        .isEqualTo("other");
  }

  private static Manifest manifest(String json) {
    byte[] content = json.getBytes(StandardCharsets.UTF_8);
    return new Manifest(Digest.sha256(content), OCI_MANIFEST, content);
  }

  /** A store that refuses new blobs while {@link #full} is set, like a full disk. */
  private static final class RefusingStore implements BlobStore {
    private final BlobStore delegate;
    volatile boolean full;

    RefusingStore(BlobStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public Optional<StoredBlob> get(Digest digest) throws IOException {
      return delegate.get(digest);
    }

    @Override
    public BlobWriter create(Digest expected) throws IOException {
      if (full) {
        throw new IOException("No space left on device");
      }
      return delegate.create(expected);
    }

    @Override
    public boolean delete(Digest digest) throws IOException {
      return delegate.delete(digest);
    }

    @Override
    public void forEach(Consumer<StoredBlob> visitor) throws IOException {
      delegate.forEach(visitor);
    }

    @Override
    public long usableSpace() throws IOException {
      return delegate.usableSpace();
    }
  }
}
