/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.clientconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MirrorTargetTest {

  @Test
  void of_normalizesTheRegistry_andDefaultsToPlainHttpAndPlainNames() {
    MirrorTarget target = MirrorTarget.of("Cache.Example:5000", "INDEX.docker.io");

    assertThat(target.proxy()).isEqualTo("cache.example:5000");
    assertThat(target.proxyUrl()).isEqualTo("http://cache.example:5000");
    assertThat(target.proxyHost()).isEqualTo("cache.example");
    assertThat(target.registry().host()).isEqualTo("docker.io");
    assertThat(target.registry().endpoint()).hasToString("https://registry-1.docker.io");
    assertThat(target.pathPrefix()).isEmpty();
    assertThat(target.alias()).isEmpty();
    assertThat(target.tls()).isFalse();
    assertThat(target.digestOnly()).isFalse();
    assertThat(target.upstreamOverridden()).isFalse();
  }

  @Test
  void proxy_acceptsNamesIpv4Ipv6AndNoPort() {
    assertThat(MirrorTarget.of("10.0.0.5:5000", "ghcr.io").proxyHost()).isEqualTo("10.0.0.5");
    assertThat(MirrorTarget.of("[::1]:5000", "ghcr.io").proxyHost()).isEqualTo("[::1]");
    assertThat(MirrorTarget.of("cache.example", "ghcr.io").withTls(true).proxyUrl())
        .isEqualTo("https://cache.example");
  }

  @Test
  void proxy_invalid_refusedNamingTheOption() {
    assertThatThrownBy(() -> MirrorTarget.of("http://cache.example:5000", "ghcr.io"))
        .isInstanceOf(ClientConfigException.class)
        .hasMessageStartingWith("--proxy: write HOST:PORT without a scheme")
        .hasMessageContaining("--tls");
    for (String bad :
        new String[] {
          "", "cache example:5000", "cache.example:port", "cache.example:5000/v2", "-a:1"
        }) {
      assertThatThrownBy(() -> MirrorTarget.of(bad, "ghcr.io"))
          .as(bad)
          .isInstanceOf(ClientConfigException.class)
          .hasMessageStartingWith("--proxy: '" + bad + "' is not HOST:PORT");
    }
    assertThatThrownBy(() -> MirrorTarget.of("cache.example:70000", "ghcr.io"))
        .hasMessage("--proxy: 'cache.example:70000' has port 70000; ports go from 1 to 65535");
    assertThatThrownBy(() -> MirrorTarget.of("cache.example:0", "ghcr.io"))
        .hasMessageStartingWith("--proxy: 'cache.example:0' has port 0");
  }

  @Test
  void registry_invalid_refusedNamingTheOption() {
    for (String bad : new String[] {"https://ghcr.io", "ghcr io", "ghcr.io/owner", ""}) {
      assertThatThrownBy(() -> MirrorTarget.of("cache.example:5000", bad))
          .as(bad)
          .isInstanceOf(ClientConfigException.class)
          .hasMessageStartingWith("--registry: invalid registry host '" + bad + "'");
    }
  }

  @Test
  void pathPrefix_mustBeARepositoryPath() {
    MirrorTarget ghcr = MirrorTarget.of("cache.example:5000", "ghcr.io");

    assertThat(ghcr.withPathPrefix("mirrors/ghcr").pathPrefix()).contains("mirrors/ghcr");
    assertThat(ghcr.withPathPrefix(null).pathPrefix()).isEmpty();
    for (String bad : new String[] {"/ghcr", "ghcr/", "GHCR", "gh cr", "", "ghcr//x"}) {
      assertThatThrownBy(() -> ghcr.withPathPrefix(bad))
          .as(bad)
          .isInstanceOf(ClientConfigException.class)
          .hasMessageStartingWith("--path-prefix: '" + bad + "' is not a repository path");
    }
  }

  @Test
  void alias_isThePathPrefix_elseTheBuiltInOne() {
    assertThat(MirrorTarget.of("p:1", "ghcr.io").alias()).contains("ghcr");
    assertThat(MirrorTarget.of("p:1", "ghcr.io").withPathPrefix("gh").alias()).contains("gh");
    assertThat(MirrorTarget.of("p:1", "registry.internal").alias()).isEmpty();
    assertThat(MirrorTarget.of("p:1", "docker.io").withPathPrefix("hub").alias())
        .isEqualTo(Optional.of("hub"));
  }

  @Test
  void upstreamUrl_replacesTheEndpoint_withoutAPath() {
    MirrorTarget target =
        MirrorTarget.of("p:1", "registry.internal:5000")
            .withUpstreamUrl(URI.create("http://registry.internal:5000/"));

    assertThat(target.registry().endpoint()).hasToString("http://registry.internal:5000");
    assertThat(target.registry().host()).isEqualTo("registry.internal:5000");
    assertThat(target.upstreamOverridden()).isTrue();
    assertThat(
            MirrorTarget.of("p:1", "ghcr.io")
                .withUpstreamUrl(URI.create("https://ghcr.io"))
                .upstreamOverridden())
        .isFalse();
    for (String bad :
        new String[] {
          "ftp://ghcr.io",
          "https://ghcr.io/v2",
          "https://u:p@ghcr.io",
          "https://ghcr.io?x=1",
          "ghcr.io"
        }) {
      assertThatThrownBy(() -> MirrorTarget.of("p:1", "ghcr.io").withUpstreamUrl(URI.create(bad)))
          .as(bad)
          .isInstanceOf(ClientConfigException.class)
          .hasMessageStartingWith("--upstream-url: ");
    }
  }
}
