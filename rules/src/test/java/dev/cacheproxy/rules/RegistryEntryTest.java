/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Registry entries reached at several endpoints, tried in order (failover). */
class RegistryEntryTest {

  private static final List<String> MIRROR_THEN_ORIGIN =
      List.of("https://mirror.example", "https://ghcr.io/");

  @Test
  void urls_giveTheEndpointsInOrder() {
    Registry registry =
        RegistryEntry.ofEndpoints("ghcr.io", MIRROR_THEN_ORIGIN, null, null).registry();

    assertThat(registry.host()).isEqualTo("ghcr.io");
    assertThat(registry.endpoint()).isEqualTo(URI.create("https://mirror.example"));
    assertThat(registry.fallbacks()).containsExactly(URI.create("https://ghcr.io"));
    assertThat(registry.endpoints())
        .containsExactly(URI.create("https://mirror.example"), URI.create("https://ghcr.io"));
    assertThat(
            RegistryEntry.ofEndpoints("ghcr.io", MIRROR_THEN_ORIGIN, null, null).hasOwnEndpoint())
        .isTrue();
  }

  @Test
  void noUrls_isTheRegistrysOwnAddress_withoutFallbacks() {
    Registry registry = RegistryEntry.ofEndpoints("docker.io", List.of(), null, null).registry();

    assertThat(registry.endpoints()).containsExactly(URI.create("https://registry-1.docker.io"));
    assertThat(registry.fallbacks()).isEmpty();
    assertThat(RegistryEntry.of("ghcr.io", "https://ghcr.io", null, null).registry())
        .isEqualTo(Registry.of("ghcr.io"));
  }

  @Test
  void duplicateEndpoint_isRefused() {
    assertThatThrownBy(() ->
            RegistryEntry.ofEndpoints(
                "ghcr.io", List.of("https://a.example", "https://a.example/"), null, null))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessageContaining("registries: 'ghcr.io'")
        .hasMessageContaining("'https://a.example' is listed twice");
    assertThatThrownBy(() ->
            RegistryEntry.ofEndpoints(
                "ghcr.io", List.of("https://a.example", "ftp://b"), null, null))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessageContaining("http:// or https://");
    assertThatThrownBy(() ->
            RegistryEntry.ofEndpoints(
                "ghcr.io", List.of("https://a.example", "https://b/v2"), null, null))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessageContaining("without a path");
  }

  @Test
  void rulesPullingFromTheRegistry_getItsFallbacks() {
    RuleSet rules =
        RuleSet.of(
            List.of(Rule.of("ghcr", "ghcr/*", "ghcr.io/*"), Rule.of("hub", "hub/*", "docker.io/*")),
            Governance.OPEN,
            Registries.of(
                List.of(RegistryEntry.ofEndpoints("ghcr.io", MIRROR_THEN_ORIGIN, null, null))));

    Route ghcr = rules.route(RepositoryName.of("ghcr/acme/app")).orElseThrow();
    assertThat(ghcr.upstreamName()).isEqualTo("ghcr.io/acme/app");
    assertThat(ghcr.registry().endpoints())
        .containsExactly(URI.create("https://mirror.example"), URI.create("https://ghcr.io"));
    assertThat(rules.rule("ghcr").orElseThrow().source().registry().fallbacks())
        .containsExactly(URI.create("https://ghcr.io"));
    Route ns = rules.route(RepositoryName.of("acme/app"), "ghcr.io").orElseThrow();
    assertThat(ns.registry().endpoints())
        .containsExactly(URI.create("https://mirror.example"), URI.create("https://ghcr.io"));
    assertThat(rules.route(RepositoryName.of("hub/nginx")).orElseThrow().registry().endpoints())
        .containsExactly(URI.create("https://registry-1.docker.io"));
  }
}
