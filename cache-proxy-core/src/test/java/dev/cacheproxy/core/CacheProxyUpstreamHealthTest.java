/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cacheproxy.core.testing.FakeRegistry;
import dev.cacheproxy.core.testing.TestClock;
import dev.cacheproxy.rules.RepositoryName;
import dev.cacheproxy.rules.Rule;
import dev.cacheproxy.rules.RulePolicy;
import dev.cacheproxy.rules.RuleSet;
import dev.cacheproxy.rules.Source;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tags deleted upstream ({@link UpstreamSettings#keepDeletedTags()}) and {@link
 * CacheProxy#upstreamHealth()} over a scripted upstream.
 */
class CacheProxyUpstreamHealthTest {

  private static final RepositoryName APP = RepositoryName.of("up/team/app");
  private static final Duration FRESHNESS = Duration.ofMinutes(5);

  @StartStop private final MockWebServer upstream = new MockWebServer();
  @TempDir Path data;

  private final FakeRegistry registry = new FakeRegistry();
  private final TestClock clock = new TestClock();
  private CacheProxy proxy;

  @AfterEach
  void tearDown() {
    if (proxy != null) {
      proxy.close();
    }
  }

  private CacheProxy newProxy(boolean keepDeletedTags) {
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
            .withKeepDeletedTags(keepDeletedTags);
    proxy =
        CacheProxy.builder()
            .rules(RuleSet.of(List.of(rule)))
            .dataDirectory(data)
            .clock(clock)
            .upstream(settings)
            .build();
    return proxy;
  }

  private String host() {
    return proxy.route(APP).registry().host();
  }

  @Test
  void manifest_tagDeletedUpstreamWithoutKeepDeletedTags_notFoundAndForgotten() {
    newProxy(false);
    Digest digest = registry.putManifest("team/app", "1.0", manifestJson("one"));
    registry.putManifest("team/app", "2.0", manifestJson("two"));
    proxy.manifest(APP, Tag.parse("1.0"), List.of());
    assertThat(proxy.tags(APP, 100, null).tags()).contains("1.0", "2.0");

    registry.deleteTag("team/app", "1.0");
    clock.advance(FRESHNESS.plusMinutes(1));

    assertThatThrownBy(() -> proxy.manifest(APP, Tag.parse("1.0"), List.of()))
        .isInstanceOfSatisfying(
            NotFoundException.class,
            e -> assertThat(e.code()).isEqualTo(OciErrorCode.MANIFEST_UNKNOWN));
    assertThat(registry.count("HEAD", "/v2/team/app/manifests/1.0")).isEqualTo(1);
    assertThatThrownBy(() -> proxy.manifest(APP, Tag.parse("1.0"), List.of()))
        .isInstanceOf(NotFoundException.class);
    assertThat(proxy.tags(APP, 100, null).tags()).containsExactly("2.0");

    ManifestResult byDigest = proxy.manifest(APP, digest, List.of());
    assertThat(byDigest.status()).isEqualTo(CacheStatus.HIT);
    assertThat(byDigest.manifest().content()).isEqualTo(manifestJson("one"));
    assertThat(registry.count("GET", "/v2/team/app/manifests/" + digest)).isZero();
    assertThat(proxy.upstreamHealth())
        .singleElement()
        .satisfies(h -> assertThat(h.staleServes()).isZero());
  }

  @Test
  void manifest_tagDeletedUpstreamKeepingDeletedTags_servedStaleAndCounted() {
    newProxy(true);
    Digest digest = registry.putManifest("team/app", "1.0", manifestJson("one"));
    proxy.manifest(APP, Tag.parse("1.0"), List.of());
    registry.deleteTag("team/app", "1.0");
    clock.advance(FRESHNESS.plusMinutes(1));

    for (int i = 0; i < 2; i++) {
      ManifestResult result = proxy.manifest(APP, Tag.parse("1.0"), List.of());
      assertThat(result.status()).isEqualTo(CacheStatus.STALE);
      assertThat(result.manifest().digest()).isEqualTo(digest);
    }

    assertThat(registry.count("HEAD", "/v2/team/app/manifests/1.0")).isEqualTo(2);
    assertThat(proxy.upstreamHealth())
        .singleElement()
        .satisfies(h -> {
          assertThat(h.registry()).isEqualTo(host());
          assertThat(h.staleServes()).isEqualTo(2);
        });
  }

  @Test
  void upstreamHealth_afterASuccessfulPull_listsTheRegistryWithItsEndpointClosed() {
    newProxy(true);
    assertThat(proxy.upstreamHealth()).isEmpty();
    registry.putManifest("team/app", "1.0", manifestJson("one"));

    proxy.manifest(APP, Tag.parse("1.0"), List.of());

    assertThat(proxy.upstreamHealth())
        .singleElement()
        .satisfies(h -> {
          assertThat(h.registry()).isEqualTo(host());
          assertThat(h.available()).isTrue();
          assertThat(h.openCalls()).isZero();
          assertThat(h.maxConcurrentRequests())
              .isEqualTo(UpstreamResilience.DEFAULTS.maxConcurrentRequests());
          assertThat(h.staleServes()).isZero();
          assertThat(h.endpoints())
              .singleElement()
              .satisfies(e -> {
                assertThat(e.circuit()).isEqualTo(UpstreamHealth.Circuit.CLOSED);
                assertThat(e.url().getPort()).isEqualTo(upstream.getPort());
                assertThat(e.recentFailures()).isZero();
                assertThat(e.backedOffUntil()).isNull();
              });
        });
  }

  private static byte[] manifestJson(String marker) {
    return ("{\"schemaVersion\":2,\"annotations\":{\"m\":\"" + marker + "\"}}")
        .getBytes(StandardCharsets.UTF_8);
  }
}
