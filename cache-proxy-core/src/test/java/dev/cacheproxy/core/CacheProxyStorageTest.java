/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cacheproxy.core.internal.store.FileSystemBlobStore;
import dev.cacheproxy.core.spi.BlobStore;
import dev.cacheproxy.core.spi.BlobWriter;
import dev.cacheproxy.core.spi.CredentialSource;
import dev.cacheproxy.core.spi.StoredBlob;
import dev.cacheproxy.core.storage.RepositoryUsage;
import dev.cacheproxy.core.storage.StorageSettings;
import dev.cacheproxy.core.storage.StorageStatus;
import dev.cacheproxy.core.storage.UsageReport;
import dev.cacheproxy.core.testing.TestClock;
import dev.cacheproxy.rules.RepositoryName;
import dev.cacheproxy.rules.Retention;
import dev.cacheproxy.rules.Rule;
import dev.cacheproxy.rules.RulePolicy;
import dev.cacheproxy.rules.RuleSet;
import dev.cacheproxy.rules.Source;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy's storage over a scripted upstream: eviction by least recent pull under a size limit,
 * retention, leases, restart and recovery, the data-directory lock, and a full disk.
 */
class CacheProxyStorageTest {

  private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  private static final int LAYER = 20_000;

  /** Two images fit under its high watermark, three do not; one evicted brings it under low. */
  private static final long MAX_SIZE = 60_000;

  @StartStop private final MockWebServer upstream = new MockWebServer();
  @TempDir Path data;

  private final Upstream registry = new Upstream();
  private final TestClock clock = new TestClock();
  private final Random random = new Random(7);
  private @Nullable CacheProxy proxy;

  @AfterEach
  void tearDown() {
    if (proxy != null) {
      proxy.close();
    }
  }

  @Test
  void evict_threeImagesOverMaxSize_leastRecentlyPulledGoesFirst() throws IOException {
    upstream.setDispatcher(registry);
    CacheProxy cache = open(limited(MAX_SIZE), Retention.NONE);
    Image a = registry.publish("team/a", LAYER);
    Image b = registry.publish("team/b", LAYER);
    Image c = registry.publish("team/c", LAYER);
    pull(a);
    clock.advance(Duration.ofMinutes(1));
    pull(b);
    clock.advance(Duration.ofMinutes(1));
    pullManifest(a);
    clock.advance(Duration.ofMinutes(1));
    pull(c);

    StorageStatus status = cache.evict();

    assertThat(status.usedBytes()).isLessThanOrEqualTo(status.settings().lowBytes());
    assertThat(status.evictions()).isEqualTo(1);
    assertThat(status.leasedBlobs()).isZero();
    assertThat(repositories(cache.storageUsage())).containsExactly("team/a", "team/c");
    assertThat(pullManifest(a)).isEqualTo(CacheStatus.HIT);
    assertThat(pullManifest(c)).isEqualTo(CacheStatus.HIT);
    assertThat(pullManifest(b)).isEqualTo(CacheStatus.MISS);
    assertThat(cache.blobInfo(name(a), a.layers().get(0)).status()).isEqualTo(CacheStatus.HIT);
    assertThat(registry.count("GET", "/v2/team/b/manifests/1.0")).isEqualTo(2);
  }

  @Test
  void evict_withoutAccessTracking_firstCachedGoesFirst() throws IOException {
    upstream.setDispatcher(registry);
    CacheProxy cache = open(limited(MAX_SIZE).withAccessTracking(false), Retention.NONE);
    Image a = registry.publish("team/a", LAYER);
    Image b = registry.publish("team/b", LAYER);
    Image c = registry.publish("team/c", LAYER);
    pull(a);
    clock.advance(Duration.ofMinutes(1));
    pull(b);
    clock.advance(Duration.ofMinutes(1));
    pullManifest(a);
    clock.advance(Duration.ofMinutes(1));
    pull(c);

    cache.evict();

    assertThat(repositories(cache.storageUsage())).containsExactly("team/b", "team/c");
  }

  @Test
  void evict_blobBeingRead_isKeptUntilClosedThenDeletedByALaterPass() throws IOException {
    upstream.setDispatcher(registry);
    Image a = registry.publish("team/a", LAYER);
    open(StorageSettings.DEFAULTS.withMinFreeSpace(0), Retention.NONE);
    pull(a);
    reopen(limited(1_000), Retention.NONE);
    Digest layer = a.layers().get(0);
    Path file = blobFile(layer);

    try (BlobStream blob = proxy().blob(name(a), layer)) {
      StorageStatus status = proxy().evict();

      assertThat(status.leasedBlobs()).isEqualTo(1);
      assertThat(status.usedBytes()).isEqualTo(LAYER);
      assertThat(proxy().storageUsage().repositories()).isEmpty();
      assertThat(file).exists();
      try (InputStream in = blob.open(0)) {
        assertThat(in.readAllBytes()).isEqualTo(registry.blobs.get(layer.toString()));
      }
    }
    StorageStatus after = proxy().evict();

    assertThat(file).doesNotExist();
    assertThat(after.usedBytes()).isZero();
    assertThat(after.blobs()).isZero();
  }

  @Test
  void evict_pinnedRule_keepsImagesUntilTheRulesChange() throws IOException {
    upstream.setDispatcher(registry);
    CacheProxy cache = open(limited(MAX_SIZE / 2), new Retention(null, true));
    Image a = registry.publish("team/a", LAYER);
    Image b = registry.publish("team/b", LAYER);
    pull(a);
    clock.advance(Duration.ofMinutes(1));
    pull(b);

    assertThat(cache.evict().evictions()).isZero();
    assertThat(repositories(cache.storageUsage())).containsExactly("team/a", "team/b");

    cache.update(RuleSet.of(List.of(rule(Retention.NONE))), CredentialSource.none());
    StorageStatus status = cache.evict();

    assertThat(status.evictions()).isEqualTo(1);
    assertThat(repositories(cache.storageUsage())).containsExactly("team/b");
  }

  @Test
  void evict_keepFor_keepsRecentlyPulledImages() throws IOException {
    upstream.setDispatcher(registry);
    CacheProxy cache = open(limited(MAX_SIZE / 2), new Retention(Duration.ofHours(1), false));
    Image a = registry.publish("team/a", LAYER);
    Image b = registry.publish("team/b", LAYER);
    pull(a);
    clock.advance(Duration.ofMinutes(30));
    pull(b);

    assertThat(cache.evict().evictions()).isZero();
    clock.advance(Duration.ofMinutes(45));

    assertThat(cache.evict().evictions()).isEqualTo(1);
    assertThat(repositories(cache.storageUsage())).containsExactly("team/b");
  }

  @Test
  void restart_recoversUsageAndLastPullOrderFlushedAtClose() throws IOException {
    upstream.setDispatcher(registry);
    open(StorageSettings.DEFAULTS.withMinFreeSpace(0), Retention.NONE);
    Image a = registry.publish("team/a", LAYER);
    Image b = registry.publish("team/b", LAYER);
    pull(a);
    clock.advance(Duration.ofMinutes(1));
    pull(b);
    clock.advance(Duration.ofMinutes(1));
    pullManifest(a);
    StorageStatus before = proxy().storageStatus();

    CacheProxy restarted = reopen(StorageSettings.DEFAULTS.withMinFreeSpace(0), Retention.NONE);

    assertThat(restarted.storageStatus().usedBytes()).isEqualTo(before.usedBytes());
    assertThat(restarted.storageStatus().blobs()).isEqualTo(before.blobs());
    RepositoryUsage usageA = usage(restarted.storageUsage(), "team/a");
    assertThat(usageA.lastPullTime()).contains(clock.instant());
    assertThat(usageA.rule()).isEqualTo("up");

    CacheProxy limited = reopen(limited(before.usedBytes() * 100 / 95), Retention.NONE);
    limited.evict();
    assertThat(repositories(limited.storageUsage())).containsExactly("team/a");
  }

  @Test
  void start_removesRecordWhoseManifestBlobIsMissing_andTheTagsPointingAtIt() throws IOException {
    upstream.setDispatcher(registry);
    open(StorageSettings.DEFAULTS.withMinFreeSpace(0), Retention.NONE);
    Image a = registry.publish("team/a", LAYER);
    pull(a);
    proxy().close();
    proxy = null;
    Files.delete(blobFile(a.manifest()));
    Path repository =
        data.resolve("repositories").resolve("127.0.0.1:" + upstream.getPort()).resolve("team/a");
    assertThat(repository.resolve("_tags/1.0.json")).exists();

    CacheProxy cache = open(StorageSettings.DEFAULTS.withMinFreeSpace(0), Retention.NONE);

    assertThat(repository).doesNotExist();
    assertThat(cache.storageUsage().repositories()).isEmpty();
    assertThat(cache.storageUsage().orphans()).isEqualTo(2);
    assertThat(pullManifest(a)).isEqualTo(CacheStatus.MISS);
    assertThat(usage(cache.storageUsage(), "team/a").manifests()).isEqualTo(1);
  }

  @Test
  void build_secondProxyOnTheSameDataDirectory_isRefusedUntilTheFirstCloses() {
    upstream.setDispatcher(registry);
    CacheProxy first = open(StorageSettings.DEFAULTS, Retention.NONE);

    assertThatThrownBy(() -> builder(StorageSettings.DEFAULTS, Retention.NONE).build())
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(data.toAbsolutePath().toString())
        .hasMessageContaining("in use by another cache-proxy");

    first.close();
    first.close();
    proxy = builder(StorageSettings.DEFAULTS, Retention.NONE).build();
    assertThat(proxy.storageStatus().usedBytes()).isZero();
  }

  @Test
  void manifest_diskFullWhileSaving_isServedUncachedAndCachedOnceThereIsRoom() {
    upstream.setDispatcher(registry);
    FullDisk disk = new FullDisk(new FileSystemBlobStore(data.resolve("blobs")));
    proxy =
        builder(StorageSettings.DEFAULTS.withMinFreeSpace(0), Retention.NONE)
            .blobStore(disk)
            .build();
    Image a = registry.publish("team/a", LAYER);
    disk.full = true;

    ManifestResult first = proxy.manifest(name(a), Tag.parse("1.0"), List.of());
    ManifestResult second = proxy.manifest(name(a), Tag.parse("1.0"), List.of());

    assertThat(first.status()).isEqualTo(CacheStatus.MISS);
    assertThat(first.manifest().digest()).isEqualTo(a.manifest());
    assertThat(first.manifest().content()).isEqualTo(registry.manifests.get("team/a:1.0"));
    assertThat(second.status()).isEqualTo(CacheStatus.MISS);
    assertThat(registry.count("GET", "/v2/team/a/manifests/1.0")).isEqualTo(2);
    assertThat(proxy.storageUsage().repositories()).isEmpty();
    assertThat(disk.refused.get()).isEqualTo(2);

    disk.full = false;
    assertThat(pullManifest(a)).isEqualTo(CacheStatus.MISS);
    assertThat(pullManifest(a)).isEqualTo(CacheStatus.HIT);
  }

  // --- helpers ---

  private CacheProxy open(StorageSettings storage, Retention retention) {
    proxy = builder(storage, retention).build();
    return proxy;
  }

  private CacheProxy reopen(StorageSettings storage, Retention retention) {
    proxy().close();
    proxy = null;
    return open(storage, retention);
  }

  private CacheProxy proxy() {
    if (proxy == null) {
      throw new IllegalStateException("no proxy open");
    }
    return proxy;
  }

  private CacheProxy.Builder builder(StorageSettings storage, Retention retention) {
    return CacheProxy.builder()
        .rules(RuleSet.of(List.of(rule(retention))))
        .dataDirectory(data)
        .clock(clock)
        .storage(storage);
  }

  private Rule rule(Retention retention) {
    String source = "http://127.0.0.1:" + upstream.getPort() + "/*";
    return new Rule(
        "up",
        "up/*",
        Source.parse(source),
        null,
        Duration.ofMinutes(5),
        RulePolicy.DEFAULT.withRetention(retention));
  }

  private static StorageSettings limited(long maxSize) {
    return StorageSettings.DEFAULTS.withMaxSize(maxSize).withMinFreeSpace(0);
  }

  private static RepositoryName name(Image image) {
    return RepositoryName.of("up/" + image.repository());
  }

  /** Pulls the manifest by tag, then every blob, and waits until each is committed. */
  private void pull(Image image) throws IOException {
    pullManifest(image);
    List<Digest> blobs = new ArrayList<>(image.layers());
    blobs.add(0, image.config());
    for (Digest digest : blobs) {
      try (BlobStream blob = proxy().blob(name(image), digest);
          InputStream in = blob.open(0)) {
        assertThat(in.readAllBytes()).isEqualTo(registry.blobs.get(digest.toString()));
      }
      // Opening it again waits for the fill to commit (or finds it stored).
      proxy().blob(name(image), digest).close();
    }
  }

  private CacheStatus pullManifest(Image image) {
    return proxy().manifest(name(image), Tag.parse("1.0"), List.of()).status();
  }

  private Path blobFile(Digest digest) {
    return data.resolve("blobs")
        .resolve(digest.algorithm())
        .resolve(digest.hex().substring(0, 2))
        .resolve(digest.hex());
  }

  private static List<String> repositories(UsageReport report) {
    return report.repositories().stream().map(r -> r.repository().value()).sorted().toList();
  }

  private static RepositoryUsage usage(UsageReport report, String repository) {
    return report.repositories().stream()
        .filter(r -> r.repository().value().equals(repository))
        .findFirst()
        .orElseThrow();
  }

  /** An image the upstream serves as {@code <repository>:1.0}. */
  private record Image(String repository, Digest manifest, Digest config, List<Digest> layers) {}

  /** A scripted registry: manifests by tag and digest, and blobs, counting requests. */
  private final class Upstream extends Dispatcher {
    final Map<String, byte[]> manifests = new ConcurrentHashMap<>();
    final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    /** Publishes {@code repository:1.0} with a config and one layer of {@code layerSize} bytes. */
    Image publish(String repository, int layerSize) {
      byte[] layer = new byte[layerSize];
      random.nextBytes(layer);
      byte[] config =
          ("{\"architecture\":\"amd64\",\"repository\":\"" + repository + "\"}")
              .getBytes(StandardCharsets.UTF_8);
      Digest layerDigest = put(layer);
      Digest configDigest = put(config);
      byte[] manifest =
          ("{\"schemaVersion\":2,\"mediaType\":\""
                  + OCI_MANIFEST
                  + "\",\"config\":{\"digest\":\""
                  + configDigest
                  + "\",\"size\":"
                  + config.length
                  + "},\"layers\":[{\"digest\":\""
                  + layerDigest
                  + "\",\"size\":"
                  + layer.length
                  + "}]}")
              .getBytes(StandardCharsets.UTF_8);
      Digest digest = Digest.sha256(manifest);
      manifests.put(repository + ":1.0", manifest);
      manifests.put(repository + "@" + digest, manifest);
      return new Image(repository, digest, configDigest, List.of(layerDigest));
    }

    private Digest put(byte[] content) {
      Digest digest = Digest.sha256(content);
      blobs.put(digest.toString(), content);
      return digest;
    }

    int count(String method, String path) {
      AtomicInteger c = counts.get(method + " " + path);
      return c == null ? 0 : c.get();
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String path = request.getUrl().encodedPath();
      counts
          .computeIfAbsent(request.getMethod() + " " + path, k -> new AtomicInteger())
          .incrementAndGet();
      if (path.equals("/v2/")) {
        return new MockResponse.Builder().code(200).body("{}").build();
      }
      int m = path.indexOf("/manifests/");
      if (m > 0) {
        String repository = path.substring(4, m);
        String reference = path.substring(m + "/manifests/".length());
        byte[] content =
            manifests.get(repository + (reference.contains(":") ? "@" : ":") + reference);
        return content == null
            ? new MockResponse.Builder().code(404).build()
            : body(content, OCI_MANIFEST, Digest.sha256(content), request);
      }
      int b = path.indexOf("/blobs/");
      if (b > 0) {
        String digest = path.substring(b + "/blobs/".length());
        byte[] content = blobs.get(digest);
        return content == null
            ? new MockResponse.Builder().code(404).build()
            : body(content, "application/octet-stream", Digest.parse(digest), request);
      }
      return new MockResponse.Builder().code(404).build();
    }

    private static MockResponse body(
        byte[] content, String type, Digest digest, RecordedRequest request) {
      MockResponse.Builder response =
          new MockResponse.Builder()
              .code(200)
              .addHeader("Content-Type", type)
              .addHeader("Docker-Content-Digest", digest.toString());
      if (request.getMethod().equals("HEAD")) {
        return response.addHeader("Content-Length", content.length).build();
      }
      return response.body(new okio.Buffer().write(content)).build();
    }
  }

  /** A store whose disk is full while {@link #full} is set: creating a blob fails. */
  private static final class FullDisk implements BlobStore {
    private final BlobStore delegate;
    final AtomicInteger refused = new AtomicInteger();
    volatile boolean full;

    FullDisk(BlobStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public Optional<StoredBlob> get(Digest digest) throws IOException {
      return delegate.get(digest);
    }

    @Override
    public BlobWriter create(Digest expected) throws IOException {
      if (full) {
        refused.incrementAndGet();
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
      return full ? 0 : delegate.usableSpace();
    }
  }
}
