/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

import static dev.cacheproxy.core.testing.FakeRegistry.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.core.storage.CacheMaintenance;
import dev.cacheproxy.core.storage.GcReport;
import dev.cacheproxy.core.storage.ProgressListener;
import dev.cacheproxy.core.storage.PurgeReport;
import dev.cacheproxy.core.storage.VerifyReport;
import dev.cacheproxy.core.testing.FakeRegistry;
import dev.cacheproxy.core.testing.FakeRegistry.Blob;
import dev.cacheproxy.core.testing.FakeRegistry.Image;
import dev.cacheproxy.core.testing.TestClock;
import dev.cacheproxy.rules.RepositoryName;
import dev.cacheproxy.rules.Rule;
import dev.cacheproxy.rules.RulePolicy;
import dev.cacheproxy.rules.RuleSet;
import dev.cacheproxy.rules.Source;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CacheProxy#purge} over a real cache on disk and a scripted upstream. */
class CacheProxyPurgeTest {

  private static final RepositoryName APP = RepositoryName.of("up/team/app");
  private static final RepositoryName OTHER = RepositoryName.of("up/team/other");

  @StartStop private final MockWebServer upstream = new MockWebServer();
  @TempDir Path data;

  private final FakeRegistry registry = new FakeRegistry();
  private final TestClock clock = new TestClock();
  private CacheProxy proxy;

  /** A layer three images share. */
  private final byte[] shared = randomBytes(5_000, 1);

  @BeforeEach
  void setUp() {
    upstream.setDispatcher(registry);
    String source = "http://127.0.0.1:" + upstream.getPort() + "/*";
    Rule rule =
        new Rule("up", "up/*", Source.parse(source), null, Duration.ofHours(1), RulePolicy.DEFAULT);
    proxy =
        CacheProxy.builder()
            .rules(RuleSet.of(List.of(rule)))
            .dataDirectory(data)
            .clock(clock)
            .upstream(
                new UpstreamSettings(
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(2),
                    64,
                    256,
                    "test"))
            .build();
  }

  @AfterEach
  void tearDown() {
    proxy.close();
  }

  @Test
  void purge_tag_removesItsManifestAndExclusiveBlobsButKeepsSharedOnes() throws IOException {
    Image one =
        registry.putImage("team/app", "1.0", randomBytes(301, 2), shared, randomBytes(2_001, 3));
    Image two =
        registry.putImage("team/app", "2.0", randomBytes(302, 4), shared, randomBytes(2_002, 5));
    pull(APP, "1.0", one);
    pull(APP, "2.0", two);
    long usedBefore = proxy.storageStatus().usedBytes();

    PurgeReport report = proxy.purge(APP, Tag.parse("1.0"));

    Blob config = one.config();
    Blob own = one.layers().get(1);
    assertThat(report)
        .isEqualTo(
            new PurgeReport(
                host() + "/team/app:1.0",
                1,
                1,
                3,
                one.manifestSize() + config.size() + own.size()));
    assertThat(blobFile(one.manifest())).doesNotExist();
    assertThat(blobFile(config.digest())).doesNotExist();
    assertThat(blobFile(own.digest())).doesNotExist();
    assertThat(blobFile(one.layers().get(0).digest())).exists();
    for (Blob blob : two.blobs()) {
      assertThat(blobFile(blob.digest())).exists();
    }
    assertThat(blobFile(two.manifest())).exists();
    assertThat(proxy.storageStatus().usedBytes()).isEqualTo(usedBefore - report.bytes());
    assertThat(proxy.storageStatus().blobs()).isEqualTo(4); // two's manifest, config, 2 layers

    ManifestResult again = proxy.manifest(APP, Tag.parse("1.0"), List.of());
    assertThat(again.status()).isEqualTo(CacheStatus.MISS);
    assertThat(again.manifest().digest()).isEqualTo(one.manifest());
    assertThat(registry.count("GET", "/v2/team/app/manifests/1.0")).isEqualTo(2);
    ManifestResult other = proxy.manifest(APP, Tag.parse("2.0"), List.of());
    assertThat(other.status()).isEqualTo(CacheStatus.HIT);
    assertThat(registry.count("GET", "/v2/team/app/manifests/2.0")).isEqualTo(1);
    assertThat(proxy.blobInfo(APP, one.layers().get(0).digest()).status())
        .isEqualTo(CacheStatus.HIT);
  }

  @Test
  void purge_digest_removesThatImageAndTheTagsPointingAtIt() {
    Image one =
        registry.putImage("team/app", "1.0", randomBytes(301, 2), shared, randomBytes(2_001, 3));
    Image two =
        registry.putImage("team/app", "2.0", randomBytes(302, 4), shared, randomBytes(2_002, 5));
    pull(APP, "1.0", one);
    pull(APP, "2.0", two);
    long usedBefore = proxy.storageStatus().usedBytes();

    PurgeReport report = proxy.purge(APP, two.manifest());

    assertThat(report)
        .isEqualTo(
            new PurgeReport(
                host() + "/team/app@" + two.manifest(),
                1,
                1,
                3,
                two.manifestSize() + two.config().size() + two.layers().get(1).size()));
    assertThat(blobFile(two.manifest())).doesNotExist();
    assertThat(blobFile(two.layers().get(0).digest())).exists();
    assertThat(proxy.storageStatus().usedBytes()).isEqualTo(usedBefore - report.bytes());
    assertThat(proxy.manifest(APP, Tag.parse("1.0"), List.of()).status())
        .isEqualTo(CacheStatus.HIT);
    assertThat(proxy.manifest(APP, Tag.parse("2.0"), List.of()).status())
        .isEqualTo(CacheStatus.MISS);
    assertThat(registry.count("GET", "/v2/team/app/manifests/2.0")).isEqualTo(2);
  }

  @Test
  void purge_platformManifestOfACachedIndex_doesNothing() {
    Image amd =
        registry.putImage("team/app", null, randomBytes(311, 6), shared, randomBytes(2_011, 7));
    Image arm =
        registry.putImage("team/app", null, randomBytes(312, 8), shared, randomBytes(2_012, 9));
    Map<String, Digest> platforms = new LinkedHashMap<>();
    platforms.put("linux/amd64", amd.manifest());
    platforms.put("linux/arm64/v8", arm.manifest());
    Digest index = registry.putIndex("team/app", "multi", platforms);
    proxy.manifest(APP, Tag.parse("multi"), List.of());
    pullByDigest(APP, amd);
    pullByDigest(APP, arm);
    long usedBefore = proxy.storageStatus().usedBytes();
    int requestsBefore = registry.total();

    PurgeReport report = proxy.purge(APP, amd.manifest());

    assertThat(report)
        .isEqualTo(new PurgeReport(host() + "/team/app@" + amd.manifest(), 0, 0, 0, 0));
    assertThat(proxy.storageStatus().usedBytes()).isEqualTo(usedBefore);
    ManifestResult byTag = proxy.manifest(APP, Tag.parse("multi"), List.of());
    assertThat(byTag.status()).isEqualTo(CacheStatus.HIT);
    assertThat(byTag.manifest().digest()).isEqualTo(index);
    pullByDigest(APP, amd);
    assertThat(registry.total()).isEqualTo(requestsBefore);
  }

  @Test
  void purge_repository_removesAllItsContentAndKeepsAnotherRepositorysSharedLayer()
      throws IOException {
    Image one =
        registry.putImage("team/app", "1.0", randomBytes(301, 2), shared, randomBytes(2_001, 3));
    Image two =
        registry.putImage("team/app", "2.0", randomBytes(302, 4), shared, randomBytes(2_002, 5));
    Image tool =
        registry.putImage(
            "team/other", "1.0", randomBytes(303, 10), shared, randomBytes(4_003, 11));
    pull(APP, "1.0", one);
    pull(APP, "2.0", two);
    pull(OTHER, "1.0", tool);
    long usedBefore = proxy.storageStatus().usedBytes();

    PurgeReport report = proxy.purge(APP, null);

    long expectedBytes =
        one.manifestSize()
            + one.config().size()
            + one.layers().get(1).size()
            + two.manifestSize()
            + two.config().size()
            + two.layers().get(1).size();
    assertThat(report).isEqualTo(new PurgeReport(host() + "/team/app", 2, 2, 6, expectedBytes));
    assertThat(proxy.storageStatus().usedBytes()).isEqualTo(usedBefore - expectedBytes);
    assertThat(blobFile(one.manifest())).doesNotExist();
    assertThat(blobFile(two.manifest())).doesNotExist();
    assertThat(proxy.storageUsage().orphans()).isZero();

    upstream.close();

    ManifestResult cached = proxy.manifest(OTHER, Tag.parse("1.0"), List.of());
    assertThat(cached.status()).isEqualTo(CacheStatus.HIT);
    assertThat(cached.manifest().digest()).isEqualTo(tool.manifest());
    for (Blob blob : tool.blobs()) {
      assertThat(read(OTHER, blob)).isEqualTo(CacheStatus.HIT);
    }
    assertThat(proxy.purge(APP, null)).isEqualTo(new PurgeReport(host() + "/team/app", 0, 0, 0, 0));
  }

  @Test
  void purge_tagThatIsNotCached_removesNothingAndReportsNothing() {
    Image one =
        registry.putImage("team/app", "1.0", randomBytes(301, 2), shared, randomBytes(2_001, 3));
    pull(APP, "1.0", one);
    long usedBefore = proxy.storageStatus().usedBytes();

    PurgeReport report = proxy.purge(APP, Tag.parse("never-pulled"));

    assertThat(proxy.storageStatus().usedBytes()).isEqualTo(usedBefore);
    assertThat(proxy.manifest(APP, Tag.parse("1.0"), List.of()).status())
        .isEqualTo(CacheStatus.HIT);
    assertThat(report).isEqualTo(new PurgeReport(host() + "/team/app:never-pulled", 0, 0, 0, 0));
  }

  @Test
  void purge_whileABlobIsRead_readerFinishesAndTheBlobIsLeftAsAnIntactOrphan() throws IOException {
    byte[] big = randomBytes(300_000, 12);
    Image one = registry.putImage("team/app", "1.0", randomBytes(301, 2), shared, big);
    pull(APP, "1.0", one);
    Digest bigDigest = one.layers().get(1).digest();
    long usedBefore = proxy.storageStatus().usedBytes();

    PurgeReport report;
    byte[] read;
    try (BlobStream blob = proxy.blob(APP, bigDigest);
        InputStream in = blob.open(0)) {
      assertThat(blob.status()).isEqualTo(CacheStatus.HIT);
      byte[] head = in.readNBytes(1_000);

      report = proxy.purge(APP, Tag.parse("1.0"));

      byte[] rest = in.readAllBytes();
      read = new byte[head.length + rest.length];
      System.arraycopy(head, 0, read, 0, head.length);
      System.arraycopy(rest, 0, read, head.length, rest.length);
    }

    assertThat(read).isEqualTo(big);
    // The manifest, the config and the shared layer (no other image) go; the leased layer stays.
    assertThat(report)
        .isEqualTo(
            new PurgeReport(
                host() + "/team/app:1.0",
                1,
                1,
                3,
                one.manifestSize() + one.config().size() + shared.length));
    assertThat(proxy.storageStatus().usedBytes()).isEqualTo(usedBefore - report.bytes());
    assertThat(proxy.storageStatus().leasedBlobs()).isZero();
    assertThat(blobFile(bigDigest)).exists();

    // Without a size limit an eviction pass has nothing to do: the blob stays an orphan.
    proxy.evict();
    assertThat(blobFile(bigDigest)).exists();
    assertThat(proxy.storageUsage().orphans()).isEqualTo(1);
    assertThat(proxy.storageUsage().orphanBytes()).isEqualTo(big.length);

    CacheMaintenance maintenance = CacheMaintenance.open(data);
    VerifyReport verify = maintenance.verify(false, ProgressListener.NONE);
    assertThat(verify.intact()).isTrue();
    assertThat(verify.blobs()).isEqualTo(1);
    proxy.close();
    GcReport gc = maintenance.gc(false);
    assertThat(gc.blobs())
        .singleElement()
        .satisfies(b -> assertThat(b.digest()).isEqualTo(bigDigest));
    assertThat(gc.bytes()).isEqualTo(big.length);
    assertThat(gc.danglingManifests()).isEmpty();
    assertThat(blobFile(bigDigest)).doesNotExist();
  }

  private String host() {
    return proxy.route(APP).registry().host();
  }

  private Path blobFile(Digest digest) {
    return data.resolve("blobs")
        .resolve(digest.algorithm())
        .resolve(digest.hex().substring(0, 2))
        .resolve(digest.hex());
  }

  /** Pulls an image by tag as a client would: the manifest, then every blob, read whole. */
  private void pull(RepositoryName name, String tag, Image image) {
    ManifestResult result = proxy.manifest(name, Tag.parse(tag), List.of());
    assertThat(result.manifest().digest()).isEqualTo(image.manifest());
    for (Blob blob : image.blobs()) {
      read(name, blob);
    }
  }

  private void pullByDigest(RepositoryName name, Image image) {
    proxy.manifest(name, image.manifest(), List.of());
    for (Blob blob : image.blobs()) {
      read(name, blob);
    }
  }

  /**
   * Reads a blob whole, checks its bytes, waits until it is committed (opening it again waits for a
   * fill to commit) and returns how it was served.
   */
  private CacheStatus read(RepositoryName name, Blob blob) {
    CacheStatus status;
    try (BlobStream stream = proxy.blob(name, blob.digest());
        InputStream in = stream.open(0)) {
      assertThat(in.readAllBytes()).isEqualTo(blob.content());
      status = stream.status();
    } catch (IOException e) {
      throw new AssertionError("reading " + blob.digest(), e);
    }
    proxy.blob(name, blob.digest()).close();
    return status;
  }
}
