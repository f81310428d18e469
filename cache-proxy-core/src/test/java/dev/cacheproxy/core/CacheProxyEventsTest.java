/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cacheproxy.core.events.CacheEvent;
import dev.cacheproxy.core.events.WebhookTarget;
import dev.cacheproxy.core.storage.StorageSettings;
import dev.cacheproxy.core.testing.FakeRegistry;
import dev.cacheproxy.core.testing.TestClock;
import dev.cacheproxy.rules.RepositoryName;
import dev.cacheproxy.rules.Rule;
import dev.cacheproxy.rules.RulePolicy;
import dev.cacheproxy.rules.RuleSet;
import dev.cacheproxy.rules.Source;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@link CacheEvent}s a real proxy emits over a scripted upstream. */
class CacheProxyEventsTest {

  private static final RepositoryName APP = RepositoryName.of("up/team/app");
  private static final RepositoryName UPSTREAM_REPO = RepositoryName.of("team/app");
  private static final Duration FRESHNESS = Duration.ofMinutes(5);
  private static final Duration OPEN_FOR = Duration.ofMinutes(1);

  @StartStop private final MockWebServer upstream = new MockWebServer();
  @TempDir Path data;

  private final FakeRegistry registry = new FakeRegistry();
  private final TestClock clock = new TestClock();
  private final BlockingQueue<CacheEvent> events = new LinkedBlockingQueue<>();
  private @Nullable CacheProxy proxy;

  @AfterEach
  void tearDown() {
    if (proxy != null) {
      proxy.close();
    }
  }

  private CacheProxy newProxy(CacheProxy.Builder builder) {
    upstream.setDispatcher(registry);
    String source = "http://127.0.0.1:" + upstream.getPort() + "/*";
    Rule rule = new Rule("up", "up/*", Source.parse(source), null, FRESHNESS, RulePolicy.DEFAULT);
    UpstreamSettings settings =
        new UpstreamSettings(
                Duration.ofSeconds(5),
                Duration.ofSeconds(10),
                Duration.ofSeconds(2),
                64,
                256,
                "test")
            .withResilience(
                UpstreamResilience.DEFAULTS.withRetryAttempts(1).withCircuit(100, 2, 2, OPEN_FOR),
                Map.of());
    proxy =
        builder
            .rules(RuleSet.of(List.of(rule)))
            .dataDirectory(data)
            .clock(clock)
            .upstream(settings)
            .build();
    return proxy;
  }

  private CacheProxy newProxy() {
    return newProxy(CacheProxy.builder().eventListener(events::add));
  }

  private CacheEvent next() throws InterruptedException {
    CacheEvent event = events.poll(10, TimeUnit.SECONDS);
    assertThat(event).as("an event within 10 s").isNotNull();
    return event;
  }

  private FakeRegistry.Image pullImage(CacheProxy p, String tag, long seed) throws IOException {
    FakeRegistry.Image image =
        registry.putImage(
            "team/app",
            tag,
            ("{\"seed\":" + seed + "}").getBytes(StandardCharsets.UTF_8),
            FakeRegistry.randomBytes(70_000, seed),
            FakeRegistry.randomBytes(1000, seed + 1));
    p.manifest(APP, Tag.parse(tag), List.of());
    for (FakeRegistry.Blob blob : image.blobs()) {
      try (BlobStream stream = p.blob(APP, blob.digest());
          InputStream in = stream.open(0)) {
        in.transferTo(OutputStreamSink.INSTANCE);
      }
    }
    return image;
  }

  @Test
  void pull_newTag_emitsTagUpdatedThenAFillForEachBlob() throws Exception {
    CacheProxy p = newProxy();
    String host = p.route(APP).registry().host();

    FakeRegistry.Image image = pullImage(p, "1.0", 1);

    assertThat(next())
        .isInstanceOfSatisfying(
            CacheEvent.TagUpdated.class,
            t -> {
              assertThat(t.type()).isEqualTo("tag.updated");
              assertThat(t.registry()).isEqualTo(host);
              assertThat(t.repository()).isEqualTo(UPSTREAM_REPO);
              assertThat(t.tag()).isEqualTo(Tag.parse("1.0"));
              assertThat(t.previous()).isNull();
              assertThat(t.current()).isEqualTo(image.manifest());
              assertThat(t.rule()).isEqualTo("up");
              assertThat(t.time()).isEqualTo(clock.instant());
            });
    for (FakeRegistry.Blob blob : image.blobs()) {
      assertThat(next())
          .isInstanceOfSatisfying(
              CacheEvent.CacheFill.class,
              f -> {
                assertThat(f.type()).isEqualTo("cache.fill");
                assertThat(f.registry()).isEqualTo(host);
                assertThat(f.repository()).isEqualTo(UPSTREAM_REPO);
                assertThat(f.digest()).isEqualTo(blob.digest());
                assertThat(f.size()).isEqualTo(blob.size());
                assertThat(f.rule()).isEqualTo("up");
              });
    }

    // Cached now: pulling again emits nothing.
    pullImage(p, "1.0", 1);
    assertThat(events.poll(200, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void revalidation_findingANewDigest_emitsTagUpdatedWithThePreviousOne() throws Exception {
    CacheProxy p = newProxy();
    Digest first = registry.putManifest("team/app", "1.0", manifestJson("one"));
    p.manifest(APP, Tag.parse("1.0"), List.of());
    assertThat(next()).isInstanceOf(CacheEvent.TagUpdated.class);

    clock.advance(FRESHNESS.plusSeconds(1));
    p.manifest(APP, Tag.parse("1.0"), List.of());
    assertThat(events.poll(100, TimeUnit.MILLISECONDS)).as("unchanged: no event").isNull();

    Digest second = registry.putManifest("team/app", "1.0", manifestJson("two"));
    clock.advance(FRESHNESS.plusSeconds(1));
    p.manifest(APP, Tag.parse("1.0"), List.of());

    assertThat(next())
        .isInstanceOfSatisfying(
            CacheEvent.TagUpdated.class,
            t -> {
              assertThat(t.previous()).isEqualTo(first);
              assertThat(t.current()).isEqualTo(second);
            });
  }

  @Test
  void purge_emitsCacheEvictWithReasonPurge() throws Exception {
    CacheProxy p = newProxy();
    FakeRegistry.Image image = pullImage(p, "1.0", 3);
    for (int i = 0; i < 1 + image.blobs().size(); i++) {
      next();
    }

    p.purge(APP, Tag.parse("1.0"));

    assertThat(next())
        .isInstanceOfSatisfying(
            CacheEvent.CacheEvict.class,
            e -> {
              assertThat(e.type()).isEqualTo("cache.evict");
              assertThat(e.reason()).isEqualTo("purge");
              assertThat(e.registry()).isEqualTo(p.route(APP).registry().host());
              assertThat(e.repository()).isEqualTo(UPSTREAM_REPO);
              assertThat(e.manifests()).containsExactly(image.manifest());
              // The manifest is stored as a blob too.
              assertThat(e.blobs()).isEqualTo(image.blobs().size() + 1);
              assertThat(e.bytes()).isEqualTo(image.blobBytes() + image.manifestSize());
            });
  }

  @Test
  void eviction_emitsCacheEvictWithReasonEviction() throws Exception {
    CacheProxy p =
        newProxy(
            CacheProxy.builder()
                .eventListener(events::add)
                .storage(StorageSettings.DEFAULTS.withMaxSize(100_000).withMinFreeSpace(0)));
    FakeRegistry.Image first = pullImage(p, "1.0", 7);
    clock.advance(Duration.ofMinutes(1));
    pullImage(p, "2.0", 8);

    p.evict();

    CacheEvent.CacheEvict evicted = null;
    while (evicted == null) {
      if (next() instanceof CacheEvent.CacheEvict e) {
        evicted = e;
      }
    }
    assertThat(evicted.reason()).isEqualTo("eviction");
    assertThat(evicted.repository()).isEqualTo(UPSTREAM_REPO);
    assertThat(evicted.manifests()).containsExactly(first.manifest());
    assertThat(evicted.blobs()).isPositive();
  }

  @Test
  void circuit_openingAndClosingAgain_emitsUpstreamUnhealthyThenHealthy() throws Exception {
    CacheProxy p = newProxy();
    registry.failWith(500);
    for (int i = 0; i < 3; i++) {
      String tag = "t" + i;
      assertThatThrownBy(() -> p.manifest(APP, Tag.parse(tag), List.of()))
          .isInstanceOf(ProxyException.class);
    }

    assertThat(next())
        .isInstanceOfSatisfying(
            CacheEvent.UpstreamUnhealthy.class,
            u -> {
              assertThat(u.type()).isEqualTo("upstream.unhealthy");
              assertThat(u.state()).isEqualTo("OPEN");
              assertThat(u.registry()).isEqualTo(p.route(APP).registry().host());
              assertThat(u.endpoint().getPort()).isEqualTo(upstream.getPort());
            });

    registry.failWith(0);
    clock.advance(OPEN_FOR.plusSeconds(1));
    for (int i = 0; i < 3; i++) {
      registry.putManifest("team/app", "ok" + i, manifestJson("ok" + i));
      p.manifest(APP, Tag.parse("ok" + i), List.of());
    }
    List<CacheEvent> after = new ArrayList<>();
    events.drainTo(after);
    assertThat(after)
        .filteredOn(e -> e instanceof CacheEvent.UpstreamHealthy)
        .singleElement()
        .satisfies(e -> assertThat(((CacheEvent.UpstreamHealthy) e).state()).isEqualTo("CLOSED"));
  }

  @Test
  void listenerThatThrows_neverFailsAPullNorStopsTheOthers() throws Exception {
    CacheProxy p =
        newProxy(
            CacheProxy.builder()
                .eventListener(e -> {
                  throw new IllegalStateException("boom");
                })
                .eventListener(events::add));

    pullImage(p, "1.0", 5);

    assertThat(next()).isInstanceOf(CacheEvent.TagUpdated.class);
    assertThat(next()).isInstanceOf(CacheEvent.CacheFill.class);
  }

  @Test
  void webhooks_fromTheBuilder_receiveTheProxysEvents() throws Exception {
    try (MockWebServer receiver = new MockWebServer()) {
      receiver.enqueue(new MockResponse.Builder().code(204).build());
      receiver.start();
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      WebhookTarget target =
          new WebhookTarget(
              URI.create(receiver.url("/hook").toString()),
              "k",
              java.util.Set.of("tag.updated"),
              2);
      CacheProxy p = newProxy(CacheProxy.builder().meterRegistry(meters).webhooks(List.of(target)));

      Digest digest = registry.putManifest("team/app", "1.0", manifestJson("one"));
      p.manifest(APP, Tag.parse("1.0"), List.of());

      RecordedRequest request = receiver.takeRequest(20, TimeUnit.SECONDS);
      assertThat(request).isNotNull();
      assertThat(request.getHeaders().get("X-CacheProxy-Event")).isEqualTo("tag.updated");
      assertThat(request.getHeaders().get("X-CacheProxy-Signature")).startsWith("sha256=");
      JsonNode body = new ObjectMapper().readTree(request.getBody().toByteArray());
      assertThat(body.get("data").get("current").asText()).isEqualTo(digest.toString());
      assertThat(body.get("data").get("repository").asText()).isEqualTo("team/app");

      p.close();
      assertThat(
              meters
                  .get("cacheproxy.webhook.deliveries")
                  .tags("target", target.hostAndPort(), "result", "delivered")
                  .counter()
                  .count())
          .isEqualTo(1);
      assertThat(meters.find("cacheproxy.webhook.queue").gauge()).isNull();
    }
  }

  private static byte[] manifestJson(String marker) {
    return ("{\"schemaVersion\":2,\"annotations\":{\"m\":\"" + marker + "\"}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** Discards what it is given. */
  private static final class OutputStreamSink extends java.io.OutputStream {
    static final OutputStreamSink INSTANCE = new OutputStreamSink();

    @Override
    public void write(int b) {}

    @Override
    public void write(byte[] b, int off, int len) {}
  }
}
