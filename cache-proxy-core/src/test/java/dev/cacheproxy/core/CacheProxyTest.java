/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cacheproxy.core.spi.CredentialSource;
import dev.cacheproxy.core.testing.FakeRegistry;
import dev.cacheproxy.core.testing.TestClock;
import dev.cacheproxy.rules.Governance;
import dev.cacheproxy.rules.Registries;
import dev.cacheproxy.rules.RegistryEntry;
import dev.cacheproxy.rules.RepositoryName;
import dev.cacheproxy.rules.Rule;
import dev.cacheproxy.rules.RulePolicy;
import dev.cacheproxy.rules.RuleSet;
import dev.cacheproxy.rules.Source;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The proxy over a scripted upstream: caching, single-flight, hang-ups, failures, staleness. */
class CacheProxyTest {

  private static final String OCI_MANIFEST = FakeRegistry.OCI_MANIFEST;
  private static final String OCI_INDEX = FakeRegistry.OCI_INDEX;
  private static final RepositoryName APP = RepositoryName.of("up/team/app");

  @StartStop private final MockWebServer upstream = new MockWebServer();
  @TempDir Path data;

  private final FakeRegistry registry = new FakeRegistry();
  private final TestClock clock = new TestClock();
  private CacheProxy proxy;

  @BeforeEach
  void setUp() {
    upstream.setDispatcher(registry);
    proxy = newProxy(Duration.ofMinutes(5));
  }

  @AfterEach
  void tearDown() {
    proxy.close();
  }

  private CacheProxy newProxy(Duration freshness) {
    return newProxy(upRule(freshness, RulePolicy.DEFAULT));
  }

  private Rule upRule(Duration freshness, RulePolicy policy) {
    String source = "http://127.0.0.1:" + upstream.getPort() + "/*";
    return new Rule("up", "up/*", Source.parse(source), null, freshness, policy);
  }

  private static RulePolicy policy(
      RulePolicy.Mode mode, List<String> exclude, @Nullable Duration staleLimit) {
    return new RulePolicy(mode, List.of(), exclude, staleLimit, "", "");
  }

  private CacheProxy newProxy(Rule rule) {
    return newProxy(rule, UpstreamSettings.DEFAULTS.notFoundCacheTime());
  }

  private CacheProxy newProxy(Rule rule, Duration notFoundCacheTime) {
    // A short idle timeout: a scripted upstream that breaks mid-body leaves its socket open.
    UpstreamSettings settings =
        new UpstreamSettings(
                Duration.ofSeconds(5),
                Duration.ofSeconds(10),
                Duration.ofSeconds(2),
                64,
                256,
                "test")
            .withNotFoundCacheTime(notFoundCacheTime);
    return CacheProxy.builder()
        .rules(RuleSet.of(List.of(rule)))
        .dataDirectory(data)
        .clock(clock)
        .upstream(settings)
        .build();
  }

  @Test
  void manifest_byTag_missThenHitWithoutUpstream() {
    Digest digest = registry.putManifest("team/app", "1.0", OCI_MANIFEST, manifestJson("one"));

    ManifestResult first = proxy.manifest(APP, Tag.parse("1.0"), List.of());
    ManifestResult second = proxy.manifest(APP, Tag.parse("1.0"), List.of());

    assertThat(first.status()).isEqualTo(CacheStatus.MISS);
    assertThat(second.status()).isEqualTo(CacheStatus.HIT);
    assertThat(second.manifest().digest()).isEqualTo(digest);
    assertThat(second.manifest().mediaType()).isEqualTo(OCI_MANIFEST);
    assertThat(second.manifest().content()).isEqualTo(manifestJson("one"));
    assertThat(registry.count("GET", "/v2/team/app/manifests/1.0")).isEqualTo(1);
  }

  @Test
  void manifest_byDigest_neverAsksUpstreamOnceCached() {
    Digest digest = registry.putManifest("team/app", "1.0", OCI_MANIFEST, manifestJson("d"));

    proxy.manifest(APP, digest, List.of());
    ManifestResult again = proxy.manifest(APP, digest, List.of());

    assertThat(again.status()).isEqualTo(CacheStatus.HIT);
    assertThat(registry.count("GET", "/v2/team/app/manifests/" + digest)).isEqualTo(1);
  }

  @Test
  void manifest_staleTag_revalidatedWithHeadNotGet() {
    registry.putManifest("team/app", "1.0", OCI_MANIFEST, manifestJson("one"));
    proxy.manifest(APP, Tag.parse("1.0"), List.of());
    clock.advance(Duration.ofMinutes(6));

    ManifestResult result = proxy.manifest(APP, Tag.parse("1.0"), List.of());

    assertThat(result.status()).isEqualTo(CacheStatus.REVALIDATED);
    assertThat(registry.count("HEAD", "/v2/team/app/manifests/1.0")).isEqualTo(1);
    assertThat(registry.count("GET", "/v2/team/app/manifests/1.0")).isEqualTo(1);
    assertThat(proxy.manifest(APP, Tag.parse("1.0"), List.of()).status())
        .isEqualTo(CacheStatus.HIT);
  }

  @Test
  void manifest_tagMovedUpstream_fetchesNewManifest() {
    registry.putManifest("team/app", "1.0", OCI_MANIFEST, manifestJson("one"));
    proxy.manifest(APP, Tag.parse("1.0"), List.of());
    Digest moved = registry.putManifest("team/app", "1.0", OCI_MANIFEST, manifestJson("two"));
    clock.advance(Duration.ofMinutes(6));

    ManifestResult result = proxy.manifest(APP, Tag.parse("1.0"), List.of());

    assertThat(result.status()).isEqualTo(CacheStatus.MISS);
    assertThat(result.manifest().digest()).isEqualTo(moved);
  }

  @Test
  void manifest_upstreamFailsOnRevalidation_servesStale() {
    Digest digest = registry.putManifest("team/app", "1.0", OCI_MANIFEST, manifestJson("one"));
    proxy.manifest(APP, Tag.parse("1.0"), List.of());
    clock.advance(Duration.ofMinutes(6));

    for (int status : new int[] {500, 429, 503}) {
      registry.failWith(status);
      ManifestResult result = proxy.manifest(APP, Tag.parse("1.0"), List.of());
      assertThat(result.status()).as("upstream status %d", status).isEqualTo(CacheStatus.STALE);
      assertThat(result.manifest().digest()).isEqualTo(digest);
    }
  }

  @Test
  void rateLimited_cachedTagServedStale_uncachedRefusedWithoutAsking_untilRetryAfter() {
    Digest digest = registry.putManifest("team/app", "1.0", OCI_MANIFEST, manifestJson("one"));
    registry.putManifest("team/app", "2.0", OCI_MANIFEST, manifestJson("two"));
    Digest blob = registry.putBlob(FakeRegistry.randomBytes(1000, 7));
    proxy.manifest(APP, Tag.parse("1.0"), List.of());
    clock.advance(Duration.ofMinutes(6));
    registry.failWith(429, "60");

    assertThat(proxy.manifest(APP, Tag.parse("1.0"), List.of()).status())
        .isEqualTo(CacheStatus.STALE);
    registry.failWith(0);
    int asked = registry.total();

    ManifestResult during = proxy.manifest(APP, Tag.parse("1.0"), List.of());
    assertThat(during.status()).isEqualTo(CacheStatus.STALE);
    assertThat(during.manifest().digest()).isEqualTo(digest);
    assertThatThrownBy(() -> proxy.manifest(APP, Tag.parse("2.0"), List.of()))
        .isInstanceOfSatisfying(
            UpstreamException.class,
            e -> {
              assertThat(e.code()).isEqualTo(OciErrorCode.TOOMANYREQUESTS);
              assertThat(e.retryAfter()).contains(Duration.ofSeconds(60));
            })
        .hasMessageContaining("127.0.0.1:" + upstream.getPort());
    clock.advance(Duration.ofSeconds(10));
    assertThatThrownBy(() -> proxy.blob(APP, blob).close())
        .isInstanceOfSatisfying(
            UpstreamException.class,
            e -> {
              assertThat(e.code()).isEqualTo(OciErrorCode.TOOMANYREQUESTS);
              assertThat(e.retryAfter()).contains(Duration.ofSeconds(50));
            });
    assertThat(registry.total()).isEqualTo(asked);

    clock.advance(Duration.ofSeconds(50));
    assertThat(proxy.manifest(APP, Tag.parse("1.0"), List.of()).status())
        .isEqualTo(CacheStatus.REVALIDATED);
    assertThat(proxy.manifest(APP, Tag.parse("2.0"), List.of()).status())
        .isEqualTo(CacheStatus.MISS);
  }

  @Test
  void manifest_missingTag_rememberedForNotFoundCacheTime() {
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> proxy.manifest(APP, Tag.parse("nope"), List.of()))
          .isInstanceOfSatisfying(
              NotFoundException.class,
              e -> assertThat(e.code()).isEqualTo(OciErrorCode.MANIFEST_UNKNOWN));
    }
    assertThat(registry.count("GET", "/v2/team/app/manifests/nope")).isEqualTo(1);

    registry.putManifest("team/app", "nope", OCI_MANIFEST, manifestJson("late"));
    clock.advance(Duration.ofSeconds(29));
    assertThatThrownBy(() -> proxy.manifest(APP, Tag.parse("nope"), List.of()))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("notFoundCacheTime");
    assertThat(registry.count("GET", "/v2/team/app/manifests/nope")).isEqualTo(1);

    clock.advance(Duration.ofSeconds(1));
    assertThat(proxy.manifest(APP, Tag.parse("nope"), List.of()).status())
        .isEqualTo(CacheStatus.MISS);
    assertThat(registry.count("GET", "/v2/team/app/manifests/nope")).isEqualTo(2);
  }

  @Test
  void manifest_notFoundCacheTimeZero_asksEveryTime() {
    proxy.close();
    proxy = newProxy(upRule(Duration.ofMinutes(5), RulePolicy.DEFAULT), Duration.ZERO);

    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> proxy.manifest(APP, Tag.parse("nope"), List.of()))
          .isInstanceOf(NotFoundException.class);
    }
    assertThat(registry.count("GET", "/v2/team/app/manifests/nope")).isEqualTo(2);
  }

  @Test
  void manifest_cachedTagDeletedUpstream_keepsBeingServedStale() {
    Digest digest = registry.putManifest("team/app", "1.0", OCI_MANIFEST, manifestJson("one"));
    proxy.manifest(APP, Tag.parse("1.0"), List.of());
    registry.deleteTag("team/app", "1.0");
    clock.advance(Duration.ofMinutes(6));

    for (int i = 0; i < 2; i++) {
      ManifestResult result = proxy.manifest(APP, Tag.parse("1.0"), List.of());
      assertThat(result.status()).isEqualTo(CacheStatus.STALE);
      assertThat(result.manifest().digest()).isEqualTo(digest);
    }
    assertThat(registry.count("HEAD", "/v2/team/app/manifests/1.0")).isEqualTo(2);
  }

  @Test
  void manifest_upstreamUnreachable_servesStaleButUncachedFails() throws IOException {
    registry.putManifest("team/app", "1.0", OCI_MANIFEST, manifestJson("one"));
    proxy.manifest(APP, Tag.parse("1.0"), List.of());
    clock.advance(Duration.ofMinutes(6));
    upstream.close();

    assertThat(proxy.manifest(APP, Tag.parse("1.0"), List.of()).status())
        .isEqualTo(CacheStatus.STALE);
    assertThatThrownBy(() -> proxy.manifest(APP, Tag.parse("2.0"), List.of()))
        .isInstanceOf(UpstreamException.class)
        .satisfies(
            e -> assertThat(((ProxyException) e).code()).isEqualTo(OciErrorCode.UNAVAILABLE));
  }

  @Test
  void manifest_unknownUpstream_isManifestUnknown() {
    assertThatThrownBy(() -> proxy.manifest(APP, Tag.parse("nope"), List.of()))
        .isInstanceOf(NotFoundException.class)
        .satisfies(
            e -> assertThat(((ProxyException) e).code()).isEqualTo(OciErrorCode.MANIFEST_UNKNOWN));
  }

  @Test
  void manifest_cachedTypeNotAccepted_goesUpstreamWithClientAccept() {
    registry.putManifest("team/app", "1.0", OCI_INDEX, manifestJson("index"));
    proxy.manifest(APP, Tag.parse("1.0"), List.of());

    assertThatThrownBy(() -> proxy.manifest(APP, Tag.parse("1.0"), List.of(OCI_MANIFEST)))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("does not accept");
    assertThat(registry.count("GET", "/v2/team/app/manifests/1.0")).isEqualTo(2);
    assertThat(registry.lastAccept()).isEqualTo(OCI_MANIFEST);
  }

  @Test
  void manifest_noRule_isNameUnknown() {
    assertThatThrownBy(
            () -> proxy.manifest(RepositoryName.of("other/x"), Tag.parse("1"), List.of()))
        .isInstanceOf(NotFoundException.class)
        .satisfies(
            e -> assertThat(((ProxyException) e).code()).isEqualTo(OciErrorCode.NAME_UNKNOWN))
        .hasMessageContaining("other/x");
  }

  @Test
  void blob_sixteenConcurrentMisses_oneUpstreamGetAndIdenticalBytes() throws Exception {
    byte[] content = FakeRegistry.randomBytes(3 * 1024 * 1024 + 17, 1);
    Digest digest = registry.putBlob(content);
    registry.gateBlob = new CountDownLatch(1);
    ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    List<Future<byte[]>> reads = new ArrayList<>();
    CountDownLatch allStarted = new CountDownLatch(16);
    for (int i = 0; i < 16; i++) {
      reads.add(
          pool.submit(() -> {
            allStarted.countDown();
            try (BlobStream blob = proxy.blob(APP, digest);
                InputStream in = blob.open(0)) {
              return in.readAllBytes();
            }
          }));
    }
    assertThat(allStarted.await(10, TimeUnit.SECONDS)).isTrue();
    registry.gateBlob.countDown();
    for (Future<byte[]> read : reads) {
      assertThat(read.get(30, TimeUnit.SECONDS)).isEqualTo(content);
    }
    pool.close();
    assertThat(registry.count("GET", "/v2/team/app/blobs/" + digest)).isEqualTo(1);
    try (BlobStream warm = proxy.blob(APP, digest)) {
      assertThat(warm.status()).isEqualTo(CacheStatus.HIT);
      assertThat(warm.file()).isPresent();
      assertThat(Files.readAllBytes(warm.file().get())).isEqualTo(content);
    }
    assertThat(registry.count("GET", "/v2/team/app/blobs/" + digest)).isEqualTo(1);
  }

  @Test
  void blob_clientHangsUpMidStream_fillCompletes() throws Exception {
    byte[] content = FakeRegistry.randomBytes(2 * 1024 * 1024, 2);
    Digest digest = registry.putBlob(content);
    registry.gateBlob = new CountDownLatch(1);
    try (BlobStream blob = proxy.blob(APP, digest);
        InputStream in = blob.open(0)) {
      assertThat(blob.status()).isEqualTo(CacheStatus.MISS);
      assertThat(blob.size()).isEqualTo(content.length);
      byte[] first = in.readNBytes(1000);
      assertThat(first).isEqualTo(java.util.Arrays.copyOf(content, 1000));
    }
    registry.gateBlob.countDown();
    awaitCached(digest);
    assertThat(proxy.blobInfo(APP, digest).status()).isEqualTo(CacheStatus.HIT);
    assertThat(registry.count("GET", "/v2/team/app/blobs/" + digest)).isEqualTo(1);
  }

  @Test
  void blob_upstreamBreaksMidFill_readersFailAndNextRequestRefetches() throws Exception {
    // Without resuming (CacheProxyBlobResumeTest covers it), the fill fails at the break.
    proxy.close();
    proxy =
        CacheProxy.builder()
            .rules(RuleSet.of(List.of(upRule(Duration.ofMinutes(5), RulePolicy.DEFAULT))))
            .dataDirectory(data)
            .clock(clock)
            .upstream(
                new UpstreamSettings(
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(10),
                        Duration.ofSeconds(2),
                        64,
                        256,
                        "test")
                    .withBlobResumeAttempts(0))
            .build();
    byte[] content = FakeRegistry.randomBytes(1024 * 1024, 3);
    Digest digest = registry.putBlob(content);
    registry.breakBlobAfter.set(300_000);

    try (BlobStream blob = proxy.blob(APP, digest);
        InputStream in = blob.open(0)) {
      assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class);
    }
    registry.breakBlobAfter.set(-1);
    try (BlobStream blob = proxy.blob(APP, digest);
        InputStream in = blob.open(0)) {
      assertThat(in.readAllBytes()).isEqualTo(content);
    }
    assertThat(registry.count("GET", "/v2/team/app/blobs/" + digest)).isEqualTo(2);
    assertThat(leftoverTempFiles()).isEmpty();
  }

  @Test
  void blob_digestMismatch_clientNeverGetsCompleteBodyAndNothingCached() throws Exception {
    byte[] content = FakeRegistry.randomBytes(200_000, 4);
    Digest digest = registry.putBlob(content);
    content[1234] ^= 1; // the upstream now serves corrupt bytes under the same digest

    ByteArrayOutputStream got = new ByteArrayOutputStream();
    // Depending on timing the fill has already failed when the blob is opened (the open fails
    // with the mismatch) or fails while the client reads (the read fails): never a complete body.
    Throwable failure =
        org.assertj.core.api.Assertions.catchThrowable(() -> {
          try (BlobStream blob = proxy.blob(APP, digest);
              InputStream in = blob.open(0)) {
            in.transferTo(got);
          }
        });
    assertThat(failure)
        .satisfiesAnyOf(
            f -> assertThat(f).isInstanceOf(DigestMismatchException.class),
            f -> assertThat(f).isInstanceOf(IOException.class).hasMessageContaining("failed"));
    assertThat(got.size()).isLessThan(content.length);
    assertThat(blobFile(digest)).doesNotExist();
    assertThat(leftoverTempFiles()).isEmpty();
  }

  @Test
  void blob_rangeFromOffset_readsTail() throws Exception {
    byte[] content = FakeRegistry.randomBytes(100_000, 5);
    Digest digest = registry.putBlob(content);
    try (BlobStream blob = proxy.blob(APP, digest);
        InputStream in = blob.open(99_000)) {
      assertThat(in.readAllBytes())
          .isEqualTo(java.util.Arrays.copyOfRange(content, 99_000, 100_000));
    }
  }

  @Test
  void blob_rangeOnColdBlob_servedAsSoonAsTheFillReachesIt_fromOneFillFromZero() throws Exception {
    // The upstream sends the first 64 KiB, then waits for the gate.
    byte[] content = FakeRegistry.randomBytes(1024 * 1024, 6);
    Digest digest = registry.putBlob(content);
    registry.gateBlob = new CountDownLatch(1);
    try (BlobStream whole = proxy.blob(APP, digest);
        InputStream all = whole.open(0);
        BlobStream ranged = proxy.blob(APP, digest);
        InputStream tail = ranged.open(40_000)) {
      assertThat(whole.status()).isEqualTo(CacheStatus.MISS);
      // Bytes from 40 000 on are there before the upstream sends more than its first 64 KiB.
      assertThat(tail.readNBytes(20_000))
          .isEqualTo(java.util.Arrays.copyOfRange(content, 40_000, 60_000));
      registry.gateBlob.countDown();
      assertThat(tail.readAllBytes())
          .isEqualTo(java.util.Arrays.copyOfRange(content, 60_000, content.length));
      assertThat(all.readAllBytes()).isEqualTo(content);
    }
    assertThat(registry.count("GET", "/v2/team/app/blobs/" + digest))
        .as("one fill from byte 0 serves the range and the whole")
        .isEqualTo(1);
    awaitCached(digest);
  }

  @Test
  void blob_unknownUpstream_isBlobUnknown() {
    Digest missing = Digest.sha256("missing".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> proxy.blob(APP, missing).close())
        .isInstanceOf(NotFoundException.class)
        .satisfies(
            e -> assertThat(((ProxyException) e).code()).isEqualTo(OciErrorCode.BLOB_UNKNOWN));
  }

  @Test
  void tags_mergeUpstreamAndCache_andFallBackToCacheWhenDown() throws IOException {
    registry.putManifest("team/app", "1.0", OCI_MANIFEST, manifestJson("one"));
    registry.putManifest("team/app", "2.0", OCI_MANIFEST, manifestJson("two"));
    registry.putManifest("team/app", "3.0", OCI_MANIFEST, manifestJson("three"));
    proxy.manifest(APP, Tag.parse("1.0"), List.of());

    TagList page = proxy.tags(APP, 2, null);
    assertThat(page.tags()).containsExactly("1.0", "2.0");
    assertThat(page.more()).isTrue();
    assertThat(proxy.tags(APP, 10, "2.0").tags()).containsExactly("3.0");

    upstream.close();
    assertThat(proxy.tags(APP, 10, null).tags()).containsExactly("1.0");
  }

  @Test
  void update_swapsRulesForNewRequests_andCountsMatches() {
    registry.putManifest("team/app", "1.0", OCI_MANIFEST, manifestJson("one"));
    registry.putManifest("other/team/app", "1.0", OCI_MANIFEST, manifestJson("moved"));
    proxy.manifest(APP, Tag.parse("1.0"), List.of());
    String moved = "http://127.0.0.1:" + upstream.getPort() + "/other/*";
    Rule movedRule = new Rule("moved", "up/*", Source.parse(moved), null, Duration.ZERO);

    proxy.update(RuleSet.of(List.of(movedRule)), CredentialSource.none());
    ManifestResult result = proxy.manifest(APP, Tag.parse("1.0"), List.of());

    assertThat(result.manifest().content()).isEqualTo(manifestJson("moved"));
    assertThat(registry.count("GET", "/v2/other/team/app/manifests/1.0")).isEqualTo(1);
    assertThat(proxy.rules().rules()).containsExactly(movedRule);
    assertThat(proxy.ruleMatches()).containsEntry("up", 1L).containsEntry("moved", 1L);
  }

  @Test
  void cacheHits_neverLookUpCredentials() throws Exception {
    registry.putManifest("team/app", "1.0", OCI_MANIFEST, manifestJson("one"));
    Digest layer = registry.putBlob(FakeRegistry.randomBytes(5_000, 9));
    AtomicInteger lookups = new AtomicInteger();
    String source = "http://127.0.0.1:" + upstream.getPort() + "/*";
    Rule rule =
        new Rule(
            "up", "up/*", Source.parse(source), "creds", Duration.ofMinutes(5), RulePolicy.DEFAULT);
    proxy.close();
    proxy =
        CacheProxy.builder()
            .rules(RuleSet.of(List.of(rule)))
            .dataDirectory(data)
            .clock(clock)
            .credentials(name -> {
              lookups.incrementAndGet();
              return java.util.Optional.of(new dev.cacheproxy.core.spi.Credentials("u", "p"));
            })
            .build();
    proxy.manifest(APP, Tag.parse("1.0"), List.of());
    try (BlobStream blob = proxy.blob(APP, layer);
        InputStream in = blob.open(0)) {
      in.readAllBytes();
    }
    awaitCached(layer); // the last byte reaches readers before the fill commits
    int afterMisses = lookups.get();
    assertThat(afterMisses).isPositive();

    assertThat(proxy.manifest(APP, Tag.parse("1.0"), List.of()).status())
        .isEqualTo(CacheStatus.HIT);
    try (BlobStream blob = proxy.blob(APP, layer)) {
      assertThat(blob.status()).isEqualTo(CacheStatus.HIT);
    }
    assertThat(lookups.get()).isEqualTo(afterMisses);
  }

  @Test
  void disabledRule_refusesWithDeniedNamingTheRule() {
    proxy.close();
    proxy =
        newProxy(upRule(Duration.ofMinutes(5), policy(RulePolicy.Mode.DISABLED, List.of(), null)));

    assertThatThrownBy(() -> proxy.manifest(APP, Tag.parse("1.0"), List.of()))
        .isInstanceOf(ProxyException.class)
        .hasMessageContaining("rule 'up'")
        .hasMessageContaining("disabled")
        .satisfies(e -> assertThat(((ProxyException) e).code()).isEqualTo(OciErrorCode.DENIED));
    assertThat(registry.total()).isZero();
  }

  @Test
  void excludedTag_refusedWithoutAskingUpstream_andHiddenFromTagList() {
    registry.putManifest("team/app", "1.0", OCI_MANIFEST, manifestJson("one"));
    registry.putManifest("team/app", "1.1-rc1", OCI_MANIFEST, manifestJson("rc"));
    proxy.close();
    proxy =
        newProxy(
            upRule(Duration.ofMinutes(5), policy(RulePolicy.Mode.ENABLED, List.of("*-rc*"), null)));

    assertThatThrownBy(() -> proxy.manifest(APP, Tag.parse("1.1-rc1"), List.of()))
        .isInstanceOf(ProxyException.class)
        .hasMessageContaining("excluded by rule 'up'")
        .satisfies(e -> assertThat(((ProxyException) e).code()).isEqualTo(OciErrorCode.DENIED));
    assertThat(registry.count("GET", "/v2/team/app/manifests/1.1-rc1")).isZero();
    assertThat(proxy.manifest(APP, Tag.parse("1.0"), List.of()).status())
        .isEqualTo(CacheStatus.MISS);
    assertThat(proxy.tags(APP, 10, null).tags()).containsExactly("1.0");
  }

  @Test
  void readOnlyRule_servesCachedWithoutUpstream_andRefusesMisses() throws IOException {
    Digest digest = registry.putManifest("team/app", "1.0", OCI_MANIFEST, manifestJson("one"));
    byte[] layer = FakeRegistry.randomBytes(10_000, 7);
    Digest layerDigest = registry.putBlob(layer);
    proxy.manifest(APP, Tag.parse("1.0"), List.of());
    try (BlobStream blob = proxy.blob(APP, layerDigest);
        InputStream in = blob.open(0)) {
      in.readAllBytes();
    }
    proxy.close();
    proxy = newProxy(upRule(Duration.ZERO, policy(RulePolicy.Mode.READ_ONLY, List.of(), null)));
    registry.resetCounts();

    ManifestResult cached = proxy.manifest(APP, Tag.parse("1.0"), List.of());
    assertThat(cached.status()).isEqualTo(CacheStatus.HIT);
    assertThat(cached.manifest().digest()).isEqualTo(digest);
    try (BlobStream blob = proxy.blob(APP, layerDigest)) {
      assertThat(blob.status()).isEqualTo(CacheStatus.HIT);
    }
    assertThatThrownBy(() -> proxy.manifest(APP, Tag.parse("2.0"), List.of()))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("read-only");
    Digest missing = Digest.sha256("missing".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> proxy.blob(APP, missing).close())
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("read-only");
    assertThat(proxy.tags(APP, 10, null).tags()).containsExactly("1.0");
    assertThat(registry.total()).isZero();
  }

  @Test
  void staleIfErrorLimit_boundsHowStaleATagMayBeServed() {
    Digest digest = registry.putManifest("team/app", "1.0", OCI_MANIFEST, manifestJson("one"));
    proxy.close();
    proxy =
        newProxy(
            upRule(
                Duration.ofMinutes(5),
                policy(RulePolicy.Mode.ENABLED, List.of(), Duration.ofHours(1))));
    proxy.manifest(APP, Tag.parse("1.0"), List.of());
    registry.failWith(503);

    clock.advance(Duration.ofMinutes(30));
    ManifestResult stale = proxy.manifest(APP, Tag.parse("1.0"), List.of());
    assertThat(stale.status()).isEqualTo(CacheStatus.STALE);
    assertThat(stale.manifest().digest()).isEqualTo(digest);

    clock.advance(Duration.ofMinutes(31));
    assertThatThrownBy(() -> proxy.manifest(APP, Tag.parse("1.0"), List.of()))
        .isInstanceOf(UpstreamException.class)
        .satisfies(
            e -> assertThat(((ProxyException) e).code()).isEqualTo(OciErrorCode.UNAVAILABLE));
  }

  @Test
  void namespace_sameNameOnTwoRegistries_cachedApart_blobsSharedByDigest() throws IOException {
    try (MockWebServer other = new MockWebServer()) {
      FakeRegistry second = new FakeRegistry();
      other.setDispatcher(second);
      other.start();
      Registries registries =
          Registries.of(
              List.of(
                  RegistryEntry.of(
                      "one.test", "http://127.0.0.1:" + upstream.getPort(), null, null),
                  RegistryEntry.of("two.test", "http://127.0.0.1:" + other.getPort(), null, null)));
      proxy.close();
      proxy =
          CacheProxy.builder()
              .rules(RuleSet.of(List.of(), Governance.OPEN, registries))
              .dataDirectory(data)
              .clock(clock)
              .build();
      RepositoryName name = RepositoryName.of("foo/bar");
      registry.putManifest("foo/bar", "1", OCI_MANIFEST, manifestJson("one"));
      second.putManifest("foo/bar", "1", OCI_MANIFEST, manifestJson("two"));
      byte[] layer = FakeRegistry.randomBytes(100_000, 7);
      Digest layerDigest = second.putBlob(layer);

      for (int round = 0; round < 2; round++) {
        ManifestResult one =
            proxy.manifest(proxy.route(name, "one.test"), Tag.parse("1"), List.of());
        ManifestResult two =
            proxy.manifest(proxy.route(name, "two.test"), Tag.parse("1"), List.of());
        assertThat(one.manifest().content()).isEqualTo(manifestJson("one"));
        assertThat(two.manifest().content()).isEqualTo(manifestJson("two"));
        assertThat(one.status()).isEqualTo(round == 0 ? CacheStatus.MISS : CacheStatus.HIT);
      }
      assertThat(registry.count("GET", "/v2/foo/bar/manifests/1")).isEqualTo(1);
      assertThat(second.count("GET", "/v2/foo/bar/manifests/1")).isEqualTo(1);

      // fetched from the registry the request names; then shared by digest
      try (BlobStream blob = proxy.blob(proxy.route(name, "two.test"), layerDigest);
          InputStream in = blob.open(0)) {
        assertThat(in.readAllBytes()).isEqualTo(layer);
      }
      awaitCached(layerDigest);
      try (BlobStream blob = proxy.blob(proxy.route(name, "one.test"), layerDigest);
          InputStream in = blob.open(0)) {
        assertThat(blob.status()).isEqualTo(CacheStatus.HIT);
        assertThat(in.readAllBytes()).isEqualTo(layer);
      }
      assertThat(registry.count("GET", "/v2/foo/bar/blobs/" + layerDigest)).isZero();

      assertThatThrownBy(() -> proxy.route(name, "three.test"))
          .isInstanceOf(ProxyException.class)
          .hasMessageContaining("registries")
          .satisfies(e -> assertThat(((ProxyException) e).code()).isEqualTo(OciErrorCode.DENIED));
      assertThatThrownBy(() -> proxy.route(name, null)).isInstanceOf(NotFoundException.class);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Test
  void catalog_listsCachedRepositoriesByAlias() {
    registry.putManifest("team/app", "1.0", OCI_MANIFEST, manifestJson("one"));
    proxy.manifest(APP, Tag.parse("1.0"), List.of());
    assertThat(proxy.catalog()).containsExactly(APP);
  }

  /** How often a poll for work done on another thread (a commit, a cleanup) looks again. */
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private void awaitCached(Digest digest) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Path file = blobFile(digest);
    while (!Files.exists(file)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("blob " + digest + " was not cached within 30 s");
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }

  private Path blobFile(Digest digest) {
    return data.resolve("blobs")
        .resolve(digest.algorithm())
        .resolve(digest.hex().substring(0, 2))
        .resolve(digest.hex());
  }

  private List<Path> leftoverTempFiles() throws IOException {
    Path tmp = data.resolve("blobs").resolve("_tmp");
    if (!Files.exists(tmp)) {
      return List.of();
    }
    // a fill's cleanup runs on its own thread just after the reader sees the failure
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try (var files = Files.list(tmp)) {
        List<Path> left = files.toList();
        if (left.isEmpty() || System.nanoTime() > deadline) {
          return left;
        }
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }

  private static byte[] manifestJson(String marker) {
    return ("{\"schemaVersion\":2,\"annotations\":{\"m\":\"" + marker + "\"}}")
        .getBytes(StandardCharsets.UTF_8);
  }
}
