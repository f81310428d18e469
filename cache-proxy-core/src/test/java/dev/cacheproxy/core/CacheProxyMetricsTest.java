/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cacheproxy.core.storage.StorageSettings;
import dev.cacheproxy.core.storage.StorageStatus;
import dev.cacheproxy.core.testing.FakeRegistry;
import dev.cacheproxy.core.testing.TestClock;
import dev.cacheproxy.rules.RepositoryName;
import dev.cacheproxy.rules.Rule;
import dev.cacheproxy.rules.RulePolicy;
import dev.cacheproxy.rules.RuleSet;
import dev.cacheproxy.rules.Source;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The meters a proxy records in its {@link CacheProxy.Builder#meterRegistry meter registry}. */
class CacheProxyMetricsTest {

  private static final RepositoryName APP = RepositoryName.of("up/team/app");
  private static final Duration FRESHNESS = Duration.ofMinutes(5);
  private static final UpstreamResilience NO_RETRY =
      UpstreamResilience.DEFAULTS.withRetryAttempts(1);

  @StartStop private final MockWebServer upstream = new MockWebServer();
  @TempDir Path data;

  private final FakeRegistry registry = new FakeRegistry();
  private final TestClock clock = new TestClock();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private @Nullable CacheProxy proxy;

  @AfterEach
  void tearDown() {
    if (proxy != null) {
      proxy.close();
    }
  }

  private CacheProxy newProxy() {
    return newProxy(RulePolicy.DEFAULT, NO_RETRY, StorageSettings.DEFAULTS);
  }

  private CacheProxy newProxy(
      RulePolicy policy, UpstreamResilience resilience, StorageSettings storage) {
    if (proxy != null) {
      proxy.close();
    }
    upstream.setDispatcher(registry);
    String source = "http://127.0.0.1:" + upstream.getPort() + "/*";
    Rule rule = new Rule("up", "up/*", Source.parse(source), null, FRESHNESS, policy);
    UpstreamSettings settings =
        new UpstreamSettings(
                Duration.ofSeconds(5),
                Duration.ofSeconds(10),
                Duration.ofSeconds(2),
                64,
                256,
                "test")
            .withKeepDeletedTags(true)
            .withResilience(resilience, Map.of());
    proxy =
        CacheProxy.builder()
            .rules(RuleSet.of(List.of(rule)))
            .dataDirectory(data)
            .clock(clock)
            .upstream(settings)
            .storage(storage)
            .meterRegistry(meters)
            .build();
    return proxy;
  }

  private double requests(String kind, String result) {
    return meters
        .get("cacheproxy.requests")
        .tags("kind", kind, "result", result, "rule", "up")
        .counter()
        .count();
  }

  private double counter(String name, String... tags) {
    return meters.get(name).tags(tags).counter().count();
  }

  private static String host(CacheProxy p) {
    return p.route(APP).registry().host();
  }

  @Test
  void meterRegistry_isTheOneTheBuilderGot() {
    CacheProxy p = newProxy();

    assertThat(p.meterRegistry()).isSameAs(meters);
  }

  @Test
  void manifest_missThenHit_countedByKindResultAndRule() {
    CacheProxy p = newProxy();
    registry.putManifest("team/app", "1.0", manifestJson("one"));

    p.manifest(APP, Tag.parse("1.0"), List.of());
    p.manifest(APP, Tag.parse("1.0"), List.of());

    assertThat(requests("manifest", "miss")).isEqualTo(1);
    assertThat(requests("manifest", "hit")).isEqualTo(1);
    assertThat(meters.find("cacheproxy.requests").tag("result", "error").counter()).isNull();
    assertThat(
            meters
                .get("cacheproxy.upstream.requests")
                .tags("registry", host(p), "method", "GET", "status", "200")
                .timer()
                .count())
        .isEqualTo(1);
  }

  @Test
  void manifest_afterFreshness_revalidatedThenStaleWhenDeletedUpstream() {
    CacheProxy p = newProxy();
    registry.putManifest("team/app", "1.0", manifestJson("one"));
    p.manifest(APP, Tag.parse("1.0"), List.of());

    clock.advance(FRESHNESS.plusMinutes(1));
    assertThat(p.manifest(APP, Tag.parse("1.0"), List.of()).status())
        .isEqualTo(CacheStatus.REVALIDATED);
    registry.deleteTag("team/app", "1.0");
    clock.advance(FRESHNESS.plusMinutes(1));
    assertThat(p.manifest(APP, Tag.parse("1.0"), List.of()).status()).isEqualTo(CacheStatus.STALE);

    assertThat(requests("manifest", "miss")).isEqualTo(1);
    assertThat(requests("manifest", "revalidated")).isEqualTo(1);
    assertThat(requests("manifest", "stale")).isEqualTo(1);
    assertThat(counter("cacheproxy.revalidations", "result", "unchanged")).isEqualTo(1);
    assertThat(counter("cacheproxy.revalidations", "result", "changed")).isZero();
    assertThat(counter("cacheproxy.revalidations", "result", "failed")).isEqualTo(1);
    assertThat(counter("cacheproxy.stale.serves", "registry", host(p))).isEqualTo(1);
    assertThat(p.upstreamHealth().get(0).staleServes()).isEqualTo(1);
  }

  @Test
  void manifest_unknownTag_upstream404TimedAndErrorCounted() {
    CacheProxy p = newProxy();

    assertThatThrownBy(() -> p.manifest(APP, Tag.parse("nope"), List.of()))
        .isInstanceOf(NotFoundException.class);

    assertThat(
            meters
                .get("cacheproxy.upstream.requests")
                .tags("registry", host(p), "method", "GET", "status", "404")
                .timer()
                .count())
        .isEqualTo(1);
    assertThat(counter("cacheproxy.errors", "kind", "manifest", "code", "MANIFEST_UNKNOWN"))
        .isEqualTo(1);
    assertThat(requests("manifest", "error")).isEqualTo(1);
  }

  @Test
  void manifest_noRuleMatches_errorWithRuleNone() {
    CacheProxy p = newProxy();

    assertThatThrownBy(() -> p.manifest(RepositoryName.of("other/app"), Tag.parse("1"), List.of()))
        .isInstanceOf(NotFoundException.class);

    assertThat(
            meters
                .get("cacheproxy.requests")
                .tags("kind", "manifest", "result", "error", "rule", "none")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(counter("cacheproxy.errors", "kind", "manifest", "code", "NAME_UNKNOWN"))
        .isEqualTo(1);
  }

  @Test
  void manifest_after429_nextCallRefusedForBackoff() {
    CacheProxy p = newProxy();
    registry.putManifest("team/app", "1.0", manifestJson("one"));
    registry.failWith(429, null);

    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> p.manifest(APP, Tag.parse("1.0"), List.of()))
          .isInstanceOfSatisfying(
              ProxyException.class,
              e -> assertThat(e.code()).isEqualTo(OciErrorCode.TOOMANYREQUESTS));
    }

    assertThat(registry.total()).isEqualTo(1);
    assertThat(counter("cacheproxy.upstream.refused", "registry", host(p), "reason", "backoff"))
        .isEqualTo(1);
    assertThat(
            meters
                .get("cacheproxy.upstream.requests")
                .tags("registry", host(p), "method", "GET", "status", "429")
                .timer()
                .count())
        .isEqualTo(1);
    assertThat(counter("cacheproxy.errors", "kind", "manifest", "code", "TOOMANYREQUESTS"))
        .isEqualTo(2);
  }

  @Test
  void circuitState_oneOnceTheCircuitOpens() {
    CacheProxy p =
        newProxy(
            RulePolicy.DEFAULT,
            NO_RETRY.withCircuit(100, 2, 2, Duration.ofMinutes(1)),
            StorageSettings.DEFAULTS);
    registry.putManifest("team/app", "1.0", manifestJson("one"));
    p.manifest(APP, Tag.parse("1.0"), List.of());
    Gauge state = meters.get("cacheproxy.upstream.circuit.state").tags("registry", host(p)).gauge();
    assertThat(state.value()).isZero();
    assertThat(state.getId().getTag("endpoint")).contains(":" + upstream.getPort());

    // The success and a failure fill the window at 50 %; the second failure opens the circuit.
    registry.failWith(500, null);
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> p.manifest(APP, Tag.parse("2.0"), List.of()))
          .isInstanceOf(ProxyException.class);
    }

    assertThat(state.value()).isEqualTo(1);
    assertThat(counter("cacheproxy.upstream.refused", "registry", host(p), "reason", "circuit"))
        .isEqualTo(1);
    assertThat(counter("cacheproxy.errors", "kind", "manifest", "code", "UNAVAILABLE"))
        .isEqualTo(3);
    assertThat(
            meters.get("cacheproxy.upstream.open.calls").tags("registry", host(p)).gauge().value())
        .isZero();
  }

  @Test
  void tags_missFromUpstream_staleWhenItFails_hitWhenReadOnly() {
    CacheProxy p = newProxy();
    registry.putManifest("team/app", "1.0", manifestJson("one"));
    p.manifest(APP, Tag.parse("1.0"), List.of());

    assertThat(p.tags(APP, 10, null).tags()).containsExactly("1.0");
    registry.failWith(404, null);
    assertThat(p.tags(APP, 10, null).tags()).containsExactly("1.0");
    CacheProxy readOnly =
        newProxy(
            new RulePolicy(RulePolicy.Mode.READ_ONLY, List.of(), List.of(), null, "", ""),
            NO_RETRY,
            StorageSettings.DEFAULTS);
    assertThat(readOnly.tags(APP, 10, null).tags()).containsExactly("1.0");

    assertThat(requests("tags", "miss")).isEqualTo(1);
    assertThat(requests("tags", "stale")).isEqualTo(1);
    assertThat(requests("tags", "hit")).isEqualTo(1);
  }

  @Test
  void blob_missThenHit_bytesCountedOnce() throws IOException {
    CacheProxy p = newProxy();
    byte[] content = FakeRegistry.randomBytes(300_000, 1);
    Digest digest = registry.putBlob(content);

    for (int i = 0; i < 2; i++) {
      try (BlobStream blob = p.blob(APP, digest);
          InputStream in = blob.open(0)) {
        assertThat(in.readAllBytes()).isEqualTo(content);
      }
    }
    assertThat(p.blobInfo(APP, digest).status()).isEqualTo(CacheStatus.HIT);
    p.close();

    assertThat(requests("blob", "miss")).isEqualTo(1);
    assertThat(requests("blob", "hit")).isEqualTo(2);
    assertThat(counter("cacheproxy.upstream.bytes", "registry", host(p))).isEqualTo(content.length);
    assertThat(counter("cacheproxy.fills", "result", "complete")).isEqualTo(1);
    assertThat(counter("cacheproxy.fills", "result", "failed")).isZero();
  }

  @Test
  void blob_eightConcurrentColdReads_oneFillSevenJoins() throws Exception {
    CacheProxy p = newProxy();
    byte[] content = FakeRegistry.randomBytes(1024 * 1024, 2);
    Digest digest = registry.putBlob(content);
    registry.gateBlob = new CountDownLatch(1);
    CountDownLatch opened = new CountDownLatch(8);
    List<Future<byte[]>> reads = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 8; i++) {
        reads.add(
            pool.submit(() -> {
              // Every stream is open before the gate lets the fill finish: one fill, seven joins.
              try (BlobStream blob = p.blob(APP, digest)) {
                opened.countDown();
                try (InputStream in = blob.open(0)) {
                  return in.readAllBytes();
                }
              }
            }));
      }
      assertThat(opened.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(meters.get("cacheproxy.fills.active").gauge().value()).isEqualTo(1);
      registry.gateBlob.countDown();
      for (Future<byte[]> read : reads) {
        assertThat(read.get(30, TimeUnit.SECONDS)).isEqualTo(content);
      }
    }
    // Closing waits for the fill to end, so its result is counted.
    p.close();

    assertThat(registry.count("GET", "/v2/team/app/blobs/" + digest)).isEqualTo(1);
    assertThat(counter("cacheproxy.fills", "result", "complete")).isEqualTo(1);
    assertThat(counter("cacheproxy.singleflight.joins", "kind", "blob")).isEqualTo(7);
    assertThat(requests("blob", "miss")).isEqualTo(8);
    assertThat(counter("cacheproxy.upstream.bytes", "registry", host(p))).isEqualTo(content.length);
  }

  @Test
  void storageGauges_matchStorageStatus() throws IOException {
    CacheProxy p =
        newProxy(RulePolicy.DEFAULT, NO_RETRY, StorageSettings.DEFAULTS.withMaxSize(1L << 30));
    Digest digest = registry.putBlob(FakeRegistry.randomBytes(50_000, 3));
    try (BlobStream blob = p.blob(APP, digest);
        InputStream in = blob.open(0)) {
      in.readAllBytes();
    }
    // A second request waits for the fill's commit: then the blob is in the store and counted.
    try (BlobStream again = p.blob(APP, digest)) {
      assertThat(again.status()).isEqualTo(CacheStatus.HIT);
    }

    StorageStatus status = p.storageStatus();
    assertThat(status.usedBytes()).isEqualTo(50_000);
    assertThat(meters.get("cacheproxy.storage.used.bytes").gauge().value())
        .isEqualTo(status.usedBytes());
    assertThat(meters.get("cacheproxy.storage.blobs").gauge().value()).isEqualTo(status.blobs());
    assertThat(meters.get("cacheproxy.storage.limit.bytes").gauge().value()).isEqualTo(1L << 30);
    assertThat(meters.get("cacheproxy.evictions").functionCounter().count())
        .isEqualTo(status.evictions());
    assertThat(meters.get("cacheproxy.evicted.bytes").functionCounter().count())
        .isEqualTo(status.evictedBytes());
  }

  @Test
  void storageLimit_notRegisteredWithoutMaxSize() {
    newProxy();

    assertThat(meters.find("cacheproxy.storage.limit.bytes").gauge()).isNull();
    assertThat(meters.find("cacheproxy.storage.used.bytes").gauge()).isNotNull();
  }

  @Test
  void close_removesTheGauges() {
    CacheProxy p = newProxy();
    registry.putManifest("team/app", "1.0", manifestJson("one"));
    p.manifest(APP, Tag.parse("1.0"), List.of());
    assertThat(meters.find("cacheproxy.upstream.circuit.state").gauge()).isNotNull();

    p.close();

    for (String name :
        List.of(
            "cacheproxy.fills.active",
            "cacheproxy.fill.resumes",
            "cacheproxy.storage.used.bytes",
            "cacheproxy.storage.blobs",
            "cacheproxy.evictions",
            "cacheproxy.evicted.bytes",
            "cacheproxy.upstream.circuit.state",
            "cacheproxy.upstream.open.calls")) {
      assertThat(meters.find(name).meters()).as(name).isEmpty();
    }
    assertThat(requests("manifest", "miss")).isEqualTo(1);
  }

  private static byte[] manifestJson(String marker) {
    return ("{\"schemaVersion\":2,\"annotations\":{\"m\":\"" + marker + "\"}}")
        .getBytes(StandardCharsets.UTF_8);
  }
}
