/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Routing of requests that name their registry with {@code ?ns=}, and the registries list. */
class RuleSetNamespaceTest {

  private final Registries registries =
      Registries.of(
          List.of(
              RegistryEntry.of("docker.io", null, null, null),
              RegistryEntry.of("ghcr.io", null, "ghcr-token", Duration.ofMinutes(1)),
              RegistryEntry.of("registry.example.test", "http://127.0.0.1:5001", null, null)));

  private final RuleSet rules =
      RuleSet.of(
          List.of(
              Rule.of("default", "*", "docker.io/*"),
              Rule.of("hub", "hub/*", "docker.io/*"),
              Rule.of("ghcr", "ghcr/*", "ghcr.io/*"),
              Rule.of("example", "example/*", "registry.example.test/*")),
          Governance.OPEN,
          registries);

  private Route route(String name, String ns) {
    return rules.route(RepositoryName.of(name), ns).orElseThrow();
  }

  @Test
  void noNamespace_routesByRules() {
    Route route = route("nginx", null);
    assertThat(route.rule().name()).isEqualTo("default");
    assertThat(route.upstreamName()).isEqualTo("docker.io/library/nginx");
    assertThat(route("ghcr/acme/app", "").upstreamName()).isEqualTo("ghcr.io/acme/app");
  }

  @Test
  void namespace_routesToThatRegistryWithThePathAsSent() {
    Route route = route("acme/app", "ghcr.io");
    assertThat(route.upstreamName()).isEqualTo("ghcr.io/acme/app");
    assertThat(route.rule().name()).isEqualTo("ns.ghcr.io");
    assertThat(route.rule().credentials()).isEqualTo("ghcr-token");
    assertThat(route.rule().tagFreshness()).isEqualTo(Duration.ofMinutes(1));
    assertThat(route.registry().endpoint()).isEqualTo(URI.create("https://ghcr.io"));
  }

  @Test
  void namespace_sameNameOnTwoRegistries_neverConfused() {
    assertThat(route("foo/bar", "ghcr.io").upstreamName()).isEqualTo("ghcr.io/foo/bar");
    assertThat(route("foo/bar", "docker.io").upstreamName()).isEqualTo("docker.io/foo/bar");
    assertThat(route("foo/bar", "registry.example.test").upstreamName())
        .isEqualTo("registry.example.test/foo/bar");
  }

  @Test
  void namespaceDockerHub_usesTheDefaultRuleAndAddsLibrary() {
    Route route = route("library/alpine", "docker.io");
    assertThat(route.rule().name()).isEqualTo("default");
    assertThat(route.upstreamName()).isEqualTo("docker.io/library/alpine");
    assertThat(route("alpine", "index.docker.io").upstreamName())
        .isEqualTo("docker.io/library/alpine");
  }

  @Test
  void namespace_pathPrefixedAliasOfTheSameRegistryWins() {
    Route route = route("ghcr/acme/app", "ghcr.io");
    assertThat(route.rule().name()).isEqualTo("ghcr");
    assertThat(route.upstreamName()).isEqualTo("ghcr.io/acme/app");
  }

  @Test
  void namespace_aliasOfAnotherRegistry_isNotUsed() {
    // ghcr.io/hub/tool is a real ghcr.io repository, not the hub/ alias of Docker Hub
    Route route = route("hub/tool", "ghcr.io");
    assertThat(route.upstreamName()).isEqualTo("ghcr.io/hub/tool");
  }

  @Test
  void namespaceWithoutRule_noDefaultRule_stillRoutes() {
    RuleSet only =
        RuleSet.of(List.of(Rule.of("hub", "hub/*", "docker.io/*")), Governance.OPEN, registries);
    assertThat(only.route(RepositoryName.of("acme/app"), "ghcr.io").orElseThrow().upstreamName())
        .isEqualTo("ghcr.io/acme/app");
    assertThat(only.route(RepositoryName.of("acme/app"), null)).isEmpty();
  }

  @Test
  void namespaceNotListed_isDeniedWithHowToAllowIt() {
    assertThatThrownBy(() -> rules.route(RepositoryName.of("acme/app"), "quay.io"))
        .isInstanceOf(NamespaceDeniedException.class)
        .hasMessageContaining("'quay.io'")
        .hasMessageContaining("registries: {\"quay.io\": {}}");
    assertThatThrownBy(() -> rules.route(RepositoryName.of("acme/app"), "../../etc"))
        .isInstanceOf(NamespaceDeniedException.class)
        .hasMessageContaining("not a registry host name");
  }

  @Test
  void noRegistries_everyNamespaceDenied() {
    RuleSet open = RuleSet.of(List.of(Rule.of("default", "*", "docker.io/*")));
    assertThatThrownBy(() -> open.route(RepositoryName.of("library/alpine"), "docker.io"))
        .isInstanceOf(NamespaceDeniedException.class);
  }

  @Test
  void ruleSource_isReachedAtTheListedUrl() {
    Route route = route("example/team/app", null);
    assertThat(route.registry().endpoint()).isEqualTo(URI.create("http://127.0.0.1:5001"));
    assertThat(route.registry().host()).isEqualTo("registry.example.test");
    assertThat(rules.rule("example").orElseThrow().source().registry().endpoint())
        .isEqualTo(URI.create("http://127.0.0.1:5001"));
  }

  @Test
  void ruleSourceWithOtherUrl_isRefusedNamingTheRule() {
    assertThatThrownBy(() ->
            RuleSet.of(
                List.of(Rule.of("mine", "mine/*", "http://registry.example.test/*")),
                Governance.OPEN,
                registries))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessageContaining("rule 'mine'")
        .hasMessageContaining("http://127.0.0.1:5001");
  }

  @Test
  void listedRegistry_mustBeAllowedByGovernance() {
    assertThatThrownBy(() ->
            RuleSet.of(
                List.of(Rule.of("default", "*", "docker.io/*")),
                new Governance(Set.of("docker.io"), 10),
                registries))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessageContaining("registries: 'ghcr.io' is not in allowedRegistries");
  }

  @Test
  void reservedRuleName_isRefused() {
    assertThatThrownBy(() ->
            RuleSet.of(
                List.of(Rule.of("ns.ghcr.io", "x/*", "ghcr.io/*")), Governance.OPEN, registries))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessageContaining("reserved");
  }

  @Test
  void registries_duplicatesAndBadEntriesRefused() {
    assertThatThrownBy(() ->
            Registries.of(
                List.of(
                    RegistryEntry.of("docker.io", null, null, null),
                    RegistryEntry.of("index.docker.io", null, null, null))))
        .hasMessageContaining("'docker.io' is listed twice");
    assertThatThrownBy(() -> RegistryEntry.of("bad host", null, null, null))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessageContaining("registries: 'bad host'");
    assertThatThrownBy(() -> RegistryEntry.of("a.io", "ftp://a.io", null, null))
        .hasMessageContaining("http:// or https://");
    assertThatThrownBy(() -> RegistryEntry.of("a.io", "http://a.io/v2", null, null))
        .hasMessageContaining("without a path");
    assertThat(RegistryEntry.of("a.io", "http://a.io/", null, null).registry().endpoint())
        .isEqualTo(URI.create("http://a.io"));
  }

  @Test
  void namespaceRuleName_isAValidRuleName() {
    assertThat(RuleSet.namespaceRuleName("127.0.0.1:5001")).isEqualTo("ns.127.0.0.1-5001");
    assertThat(RuleSet.namespaceRuleName("[::1]:5000")).isEqualTo("ns.---1--5000");
  }
}
