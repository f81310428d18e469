/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

class GovernanceTest {

  @Test
  void new_dockerHubAliases_normalizeToDockerIo() {
    Governance g = new Governance(Set.of("index.docker.io", "registry-1.docker.io", "GHCR.io"), 10);
    assertThat(g.allowedRegistries()).containsExactlyInAnyOrder("docker.io", "ghcr.io");
    assertThat(g.allows(Registry.of("docker.io"))).isTrue();
    assertThat(g.allows(Registry.of("ghcr.io"))).isTrue();
    assertThat(g.allows(Registry.of("quay.io"))).isFalse();
  }

  @Test
  void allows_emptySet_allowsEveryRegistry() {
    assertThat(Governance.OPEN.allows(Registry.of("anything.example"))).isTrue();
    assertThat(Governance.OPEN.maxRules()).isEqualTo(100_000);
  }

  @Test
  void allows_hostWithPort_mustMatchPort() {
    Governance g = new Governance(Set.of("127.0.0.1:5001"), 10);
    assertThat(g.allows(Registry.plainHttp("127.0.0.1:5001"))).isTrue();
    assertThat(g.allows(Registry.plainHttp("127.0.0.1:5002"))).isFalse();
  }

  @Test
  void new_maxRulesBelowOne_refusedNamingField() {
    assertThatThrownBy(() -> new Governance(Set.of(), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxRules");
  }

  @Test
  void new_badRegistryHost_refused() {
    assertThatThrownBy(() -> new Governance(Set.of("not a host"), 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid registry host");
  }
}
