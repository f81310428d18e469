/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RuleSetTest {

  private final RuleSet rules =
      RuleSet.of(
          List.of(
              Rule.of("default", "*", "docker.io/*"),
              Rule.of("hub", "hub/*", "docker.io/*"),
              Rule.of("bitnami", "hub/bitnami/*", "docker.io/bitnamilegacy/*"),
              Rule.of("team-base", "team/base", "ghcr.io/acme/base"),
              Rule.of("local", "local/*", "http://127.0.0.1:5001/*"),
              Rule.of("k8s", "k8s/*", "registry.k8s.io/*")));

  private Route route(String name) {
    return rules.route(RepositoryName.of(name)).orElseThrow();
  }

  @Test
  void route_unaliasedSingleSegment_goesToDockerHubLibrary() {
    Route r = route("nginx");
    assertThat(r.rule().name()).isEqualTo("default");
    assertThat(r.registry().host()).isEqualTo("docker.io");
    assertThat(r.registry().endpoint().toString()).isEqualTo("https://registry-1.docker.io");
    assertThat(r.upstreamRepository().value()).isEqualTo("library/nginx");
    assertThat(r.upstreamName()).isEqualTo("docker.io/library/nginx");
  }

  @Test
  void route_wildcardAlias_stripsTargetPrefix() {
    assertThat(route("hub/library/nginx").upstreamRepository().value()).isEqualTo("library/nginx");
    assertThat(route("hub/alpine").upstreamRepository().value()).isEqualTo("library/alpine");
    assertThat(route("k8s/pause").upstreamName()).isEqualTo("registry.k8s.io/pause");
  }

  @Test
  void route_longerWildcardBeatsShorter() {
    Route r = route("hub/bitnami/redis");
    assertThat(r.rule().name()).isEqualTo("bitnami");
    assertThat(r.upstreamName()).isEqualTo("docker.io/bitnamilegacy/redis");
  }

  @Test
  void route_staticBeatsWildcard() {
    Route r = route("team/base");
    assertThat(r.rule().name()).isEqualTo("team-base");
    assertThat(r.upstreamName()).isEqualTo("ghcr.io/acme/base");
    assertThat(route("team/other").rule().name()).isEqualTo("default");
  }

  @Test
  void route_plainHttpSource_usesHttpEndpoint() {
    Route r = route("local/foo/bar");
    assertThat(r.registry().host()).isEqualTo("127.0.0.1:5001");
    assertThat(r.registry().endpoint().toString()).isEqualTo("http://127.0.0.1:5001");
    assertThat(r.upstreamRepository().value()).isEqualTo("foo/bar");
  }

  @Test
  void route_noDefaultRule_unmatchedIsEmpty() {
    RuleSet only = RuleSet.of(List.of(Rule.of("hub", "hub/*", "docker.io/*")));
    assertThat(only.route(RepositoryName.of("nginx"))).isEmpty();
    assertThat(only.route(RepositoryName.of("hub"))).isEmpty();
  }

  @Test
  void of_sameTargetTwice_refusedNamingBothRules() {
    assertThatThrownBy(() ->
            RuleSet.of(
                List.of(
                    Rule.of("one", "hub/*", "docker.io/*"), Rule.of("two", "hub/*", "quay.io/*"))))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessageContaining("'one'")
        .hasMessageContaining("'two'")
        .hasMessageContaining("hub/*");
  }

  @Test
  void of_duplicateName_refused() {
    assertThatThrownBy(() ->
            RuleSet.of(
                List.of(Rule.of("one", "a/*", "docker.io/*"), Rule.of("one", "b/*", "quay.io/*"))))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessageContaining("rule 'one'")
        .hasMessageContaining("name");
  }

  @Test
  void rule_wildcardTargetWithStaticSource_refusedNamingField() {
    assertThatThrownBy(() -> Rule.of("bad", "hub/*", "docker.io/library/nginx"))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessageContaining("rule 'bad'")
        .hasMessageContaining("wildcard target");
  }

  @Test
  void rule_invalidTarget_refused() {
    assertThatThrownBy(() -> Rule.of("bad", "Hub/*", "docker.io/*"))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessageContaining("field 'target'");
    assertThatThrownBy(() -> Rule.of("bad", "a/*/b", "docker.io/*"))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessageContaining("field 'target'");
  }

  @Test
  void rule_sourceWithoutRegistry_refused() {
    assertThatThrownBy(() -> Rule.of("bad", "x/*", "library/*"))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessageContaining("field 'source'")
        .hasMessageContaining("registry host");
  }

  @Test
  void rule_negativeFreshness_refused() {
    assertThatThrownBy(
            () -> new Rule("bad", "x/*", Source.parse("docker.io/*"), null, Duration.ofSeconds(-1)))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessageContaining("tagFreshness");
  }

  @Test
  void aliasesFor_mapsUpstreamBackToEveryClientName() {
    Registry hub = Registry.of("docker.io");
    assertThat(rules.aliasesFor(hub, RepositoryName.of("library/nginx")))
        .extracting(RepositoryName::value)
        .containsExactly("hub/library/nginx", "library/nginx");
    assertThat(rules.aliasesFor(hub, RepositoryName.of("bitnamilegacy/redis")))
        .extracting(RepositoryName::value)
        .containsExactly("bitnamilegacy/redis", "hub/bitnami/redis", "hub/bitnamilegacy/redis");
    assertThat(rules.aliasesFor(Registry.of("ghcr.io"), RepositoryName.of("acme/base")))
        .extracting(RepositoryName::value)
        .containsExactly("team/base");
  }
}
