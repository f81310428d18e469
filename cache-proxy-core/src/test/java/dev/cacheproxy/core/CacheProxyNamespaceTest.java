/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.cacheproxy.core.testing.FakeRegistry;
import dev.cacheproxy.rules.Governance;
import dev.cacheproxy.rules.Registries;
import dev.cacheproxy.rules.RegistryEntry;
import dev.cacheproxy.rules.RepositoryName;
import dev.cacheproxy.rules.Route;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client cannot make the proxy contact a registry that no rule and no {@code registries:} entry
 * allows: an {@code ?ns=} naming anything else is refused with {@code DENIED} before any upstream
 * call, and the registry the client tried to reach sees nothing.
 */
class CacheProxyNamespaceTest {

  private static final RepositoryName APP = RepositoryName.of("team/app");

  @StartStop private final MockWebServer allowed = new MockWebServer();
  @StartStop private final MockWebServer other = new MockWebServer();
  @TempDir Path data;

  private final FakeRegistry registry = new FakeRegistry();
  private final FakeRegistry otherRegistry = new FakeRegistry();
  private CacheProxy proxy;

  @BeforeEach
  void setUp() {
    allowed.setDispatcher(registry);
    other.setDispatcher(otherRegistry);
    registry.putImage("team/app", "v1", "{}".getBytes(StandardCharsets.UTF_8), new byte[] {1});
    otherRegistry.putImage("team/app", "v1", "{}".getBytes(StandardCharsets.UTF_8), new byte[] {2});
    String allowedHost = "127.0.0.1:" + allowed.getPort();
    Rule rule =
        new Rule(
            "up",
            "up/*",
            Source.parse("http://" + allowedHost + "/*"),
            null,
            Duration.ofMinutes(5),
            RulePolicy.DEFAULT);
    proxy =
        CacheProxy.builder()
            .rules(
                RuleSet.of(
                    List.of(rule),
                    Governance.OPEN,
                    Registries.of(
                        List.of(
                            RegistryEntry.of(allowedHost, "http://" + allowedHost, null, null)))))
            .dataDirectory(data)
            .build();
  }

  @AfterEach
  void tearDown() {
    proxy.close();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "OTHER", // replaced by 127.0.0.1:<port of the other server>
        "localhost:OTHER_PORT",
        "LOCALHOST:OTHER_PORT",
        "169.254.169.254",
        "metadata.google.internal",
        "127.0.0.1",
        "[::1]:OTHER_PORT",
        "evil.example.com",
        "127.0.0.1:OTHER_PORT/v2/",
        "http://127.0.0.1:OTHER_PORT",
        "user:pw@127.0.0.1:OTHER_PORT",
        "127.0.0.1:OTHER_PORT#",
        "127.0.0.1:OTHER_PORT?x=1",
        "127.0.0.1:OTHER_PORT\r\nHost: evil",
        " ",
        "..",
      })
  void unlistedNamespace_isDenied_andNoRegistryIsContacted(String template) {
    String ns =
        template
            .replace("OTHER_PORT", Integer.toString(other.getPort()))
            .replace("OTHER", "127.0.0.1:" + other.getPort());

    ProxyException e = catchThrowableOfType(ProxyException.class, () -> routeAndPull(ns));

    assertThat(e).as("ns=%s", ns).isNotNull();
    assertThat(e.code()).as("ns=%s", ns).isEqualTo(OciErrorCode.DENIED);
    assertThat(other.getRequestCount()).as("requests to the unlisted registry").isZero();
    assertThat(allowed.getRequestCount()).as("requests to the listed registry").isZero();
  }

  @Test
  void listedNamespace_isPulledFromThatRegistryOnly() {
    String ns = "127.0.0.1:" + allowed.getPort();

    ManifestResult result = routeAndPull(ns);

    assertThat(result.status()).isEqualTo(CacheStatus.MISS);
    assertThat(allowed.getRequestCount()).isPositive();
    assertThat(other.getRequestCount()).isZero();
  }

  @Test
  void nameMatchingNoRule_withoutNamespace_isNameUnknown_andNothingIsContacted() {
    ProxyException e =
        catchThrowableOfType(
            ProxyException.class, () -> proxy.route(RepositoryName.of("elsewhere/app")));

    assertThat(e.code()).isEqualTo(OciErrorCode.NAME_UNKNOWN);
    assertThat(allowed.getRequestCount() + other.getRequestCount()).isZero();
  }

  private ManifestResult routeAndPull(String ns) {
    Route route = proxy.route(APP, ns);
    return proxy.manifest(route, Tag.parse("v1"), List.of());
  }
}
