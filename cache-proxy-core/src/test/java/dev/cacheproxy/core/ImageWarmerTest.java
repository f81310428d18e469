/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

import static dev.cacheproxy.core.testing.FakeRegistry.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cacheproxy.core.storage.ProgressListener;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ImageWarmer} over a real cache on disk and a scripted upstream. */
class ImageWarmerTest {

  private static final RepositoryName APP = RepositoryName.of("up/team/app");

  @StartStop private final MockWebServer upstream = new MockWebServer();
  @TempDir Path data;

  private final FakeRegistry registry = new FakeRegistry();
  private final TestClock clock = new TestClock();
  private final byte[] shared = randomBytes(5_000, 1);
  private CacheProxy proxy;
  private ImageWarmer warmer;

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
    warmer = new ImageWarmer(proxy, clock);
  }

  @AfterEach
  void tearDown() {
    proxy.close();
  }

  @Test
  void warm_singlePlatformImage_cachesManifestConfigAndLayersReportingProgress() {
    Image image =
        registry.putImage("team/app", "1.0", randomBytes(301, 2), shared, randomBytes(200_000, 3));
    long total = image.blobBytes();
    List<long[]> calls = new ArrayList<>();

    WarmReport report =
        warmer.warm(
            APP,
            Tag.parse("1.0"),
            List.of(),
            (blobsDone, blobsTotal, bytesDone, bytesTotal) ->
                calls.add(new long[] {blobsDone, blobsTotal, bytesDone, bytesTotal}));

    assertThat(report)
        .isEqualTo(
            new WarmReport(
                APP,
                Tag.parse("1.0"),
                List.of(image.manifest()),
                3,
                3,
                total,
                total,
                Duration.ZERO));
    assertThat(calls).hasSize(4);
    assertThat(calls.get(0)).containsExactly(0, 3, 0, total);
    for (int i = 1; i < calls.size(); i++) {
      assertThat(calls.get(i)[0]).isGreaterThan(calls.get(i - 1)[0]);
      assertThat(calls.get(i)[2]).isGreaterThan(calls.get(i - 1)[2]);
      assertThat(calls.get(i)[1]).isEqualTo(3);
      assertThat(calls.get(i)[3]).isEqualTo(total);
    }
    assertThat(calls.get(calls.size() - 1)).containsExactly(3, 3, total, total);
    for (Blob blob : image.blobs()) {
      assertThat(registry.blobGets(blob.digest())).isEqualTo(1);
    }
    assertThat(registry.count("GET", "/v2/team/app/manifests/1.0")).isEqualTo(1);
    settle(image.blobs());
    assertThat(proxy.storageStatus().blobs()).isEqualTo(4);
    assertThat(proxy.storageStatus().usedBytes()).isEqualTo(image.manifestSize() + total);

    WarmReport again = warmer.warm(APP, Tag.parse("1.0"), List.of(), ProgressListener.NONE);

    assertThat(again.blobs()).isEqualTo(3);
    assertThat(again.blobsFetched()).isZero();
    assertThat(again.bytes()).isEqualTo(total);
    assertThat(again.bytesFetched()).isZero();
    for (Blob blob : image.blobs()) {
      assertThat(registry.blobGets(blob.digest())).isEqualTo(1);
    }
  }

  @Test
  void warm_thenUpstreamDown_manifestAndEveryBlobServedFromCache() {
    Image image =
        registry.putImage("team/app", "1.0", randomBytes(301, 2), shared, randomBytes(2_001, 3));
    warmer.warm(APP, Tag.parse("1.0"), List.of(), ProgressListener.NONE);

    upstream.close();

    ManifestResult manifest = proxy.manifest(APP, Tag.parse("1.0"), List.of());
    assertThat(manifest.status()).isEqualTo(CacheStatus.HIT);
    assertThat(manifest.manifest().digest()).isEqualTo(image.manifest());
    assertThat(proxy.manifest(APP, image.manifest(), List.of()).status())
        .isEqualTo(CacheStatus.HIT);
    for (Blob blob : image.blobs()) {
      assertThat(read(blob)).isEqualTo(CacheStatus.HIT);
    }
  }

  @Test
  void warm_indexForOnePlatform_cachesOnlyThatPlatformsBlobs() {
    MultiPlatform index = putMultiPlatform();

    WarmReport report =
        warmer.warm(APP, Tag.parse("multi"), List.of("linux/arm64"), ProgressListener.NONE);

    assertThat(report.manifests()).containsExactly(index.digest(), index.arm().manifest());
    assertThat(report.blobs()).isEqualTo(3);
    assertThat(report.blobsFetched()).isEqualTo(3);
    assertThat(report.bytes()).isEqualTo(index.arm().blobBytes());
    assertThat(report.bytesFetched()).isEqualTo(index.arm().blobBytes());
    for (Blob blob : index.arm().blobs()) {
      assertThat(registry.blobGets(blob.digest())).isEqualTo(1);
    }
    assertThat(registry.blobGets(index.amd().config().digest())).isZero();
    assertThat(registry.blobGets(index.amd().layers().get(1).digest())).isZero();
    assertThat(registry.count("GET", "/v2/team/app/manifests/" + index.amd().manifest())).isZero();
    settle(index.arm().blobs());
    assertThat(proxy.storageStatus().blobs()).isEqualTo(5); // index, arm manifest, 3 blobs
  }

  @Test
  void warm_indexForAllPlatforms_cachesEveryBlobOnce() {
    MultiPlatform index = putMultiPlatform();

    WarmReport report = warmer.warm(APP, Tag.parse("multi"), List.of(), ProgressListener.NONE);

    assertThat(report.manifests())
        .containsExactly(index.digest(), index.amd().manifest(), index.arm().manifest());
    long unique =
        index.amd().blobBytes() + index.arm().config().size() + index.arm().layers().get(1).size();
    assertThat(report.blobs()).isEqualTo(5);
    assertThat(report.blobsFetched()).isEqualTo(5);
    assertThat(report.bytes()).isEqualTo(unique);
    assertThat(report.bytesFetched()).isEqualTo(unique);
    for (Image image : List.of(index.amd(), index.arm())) {
      for (Blob blob : image.blobs()) {
        assertThat(registry.blobGets(blob.digest())).isEqualTo(1);
      }
      settle(image.blobs());
    }
    assertThat(proxy.storageStatus().blobs()).isEqualTo(8); // index, 2 manifests, 5 blobs
  }

  @Test
  void warm_indexWithoutTheAskedPlatform_manifestUnknownAndNothingFetched() {
    putMultiPlatform();

    assertThatThrownBy(() ->
            warmer.warm(APP, Tag.parse("multi"), List.of("windows/amd64"), ProgressListener.NONE))
        .isInstanceOfSatisfying(
            NotFoundException.class,
            e -> assertThat(e.code()).isEqualTo(OciErrorCode.MANIFEST_UNKNOWN));
    assertThat(proxy.storageStatus().blobs()).isEqualTo(1); // the index only
  }

  @Test
  void warm_badPlatform_illegalArgumentBeforeAnyUpstreamCall() {
    putMultiPlatform();

    for (String bad : List.of("linux", "linux/", "/amd64", "linux/arm64/v8/x", "")) {
      assertThatThrownBy(
              () -> warmer.warm(APP, Tag.parse("multi"), List.of(bad), ProgressListener.NONE))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("os/architecture[/variant]");
    }
    assertThat(registry.total()).isZero();
  }

  /** An index tagged {@code multi} listing an amd64 and an arm64/v8 image sharing a layer. */
  private record MultiPlatform(Digest digest, Image amd, Image arm) {}

  private MultiPlatform putMultiPlatform() {
    Image amd =
        registry.putImage("team/app", null, randomBytes(311, 6), shared, randomBytes(2_011, 7));
    Image arm =
        registry.putImage("team/app", null, randomBytes(312, 8), shared, randomBytes(2_012, 9));
    Map<String, Digest> platforms = new LinkedHashMap<>();
    platforms.put("linux/amd64", amd.manifest());
    platforms.put("linux/arm64/v8", arm.manifest());
    return new MultiPlatform(registry.putIndex("team/app", "multi", platforms), amd, arm);
  }

  /** Waits until the fills a warm started are committed: opening a blob again waits for that. */
  private void settle(List<Blob> blobs) {
    for (Blob blob : blobs) {
      proxy.blob(APP, blob.digest()).close();
    }
  }

  /** Reads a blob whole, checks its bytes and returns how it was served. */
  private CacheStatus read(Blob blob) {
    try (BlobStream stream = proxy.blob(APP, blob.digest());
        InputStream in = stream.open(0)) {
      assertThat(in.readAllBytes()).isEqualTo(blob.content());
      return stream.status();
    } catch (IOException e) {
      throw new AssertionError("reading " + blob.digest(), e);
    }
  }
}
