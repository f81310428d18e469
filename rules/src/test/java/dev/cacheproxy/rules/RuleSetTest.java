/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RuleSetTest {

  /** A source prefix so long that any rest of more than 33 characters makes the name too long. */
  static final String LONG = "l".repeat(220);

  private final RuleSet rules =
      RuleSet.of(
          List.of(
              Rule.of("default", "*", "docker.io/*"),
              Rule.of("hub", "hub/*", "docker.io/*"),
              Rule.of("bitnami", "hub/bitnami/*", "docker.io/bitnamilegacy/*"),
              Rule.of("team-base", "team/base", "ghcr.io/acme/base"),
              Rule.of("local", "local/*", "http://127.0.0.1:5001/*"),
              Rule.of("k8s", "k8s/*", "registry.k8s.io/*")));

  private static Route route(RuleSet set, String name) {
    return set.route(RepositoryName.of(name)).orElseThrow();
  }

  private Route route(String name) {
    return route(rules, name);
  }

  private static Rule rewriting(
      String name, String target, String source, String strip, String add) {
    RulePolicy policy =
        RulePolicy.forRule(name, RulePolicy.Mode.ENABLED, List.of(), List.of(), null, strip, add);
    return new Rule(name, target, Rule.parseSource(name, source), null, null, policy);
  }

  @Test
  void route_unaliasedSingleSegment_goesToDockerHubLibrary() {
    Route r = route("nginx");
    assertThat(r.rule().name()).isEqualTo("default");
    assertThat(r.clientRepository().value()).isEqualTo("nginx");
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
    assertThat(route("k8s/a/b/c").upstreamName()).isEqualTo("registry.k8s.io/a/b/c");
  }

  @Test
  void route_longerWildcardBeatsShorter() {
    Route r = route("hub/bitnami/redis");
    assertThat(r.rule().name()).isEqualTo("bitnami");
    assertThat(r.upstreamName()).isEqualTo("docker.io/bitnamilegacy/redis");
    assertThat(route("hub/bitnamix/redis").rule().name()).isEqualTo("hub");
  }

  @Test
  void route_deepestOfThreeWildcardsWins() {
    RuleSet set =
        RuleSet.of(
            List.of(
                Rule.of("c", "a/b/c/*", "quay.io/c/*"),
                Rule.of("a", "a/*", "quay.io/a/*"),
                Rule.of("b", "a/b/*", "quay.io/b/*")));
    assertThat(route(set, "a/b/c/d").upstreamName()).isEqualTo("quay.io/c/d");
    assertThat(route(set, "a/b/c").upstreamName()).isEqualTo("quay.io/b/c");
    assertThat(route(set, "a/b/x/d").upstreamName()).isEqualTo("quay.io/b/x/d");
    assertThat(route(set, "a/b").upstreamName()).isEqualTo("quay.io/a/b");
    assertThat(set.route(RepositoryName.of("a"))).isEmpty();
  }

  @Test
  void route_staticBeatsWildcard() {
    Route r = route("team/base");
    assertThat(r.rule().name()).isEqualTo("team-base");
    assertThat(r.upstreamName()).isEqualTo("ghcr.io/acme/base");
    assertThat(route("team/other").rule().name()).isEqualTo("default");
  }

  @Test
  void route_staticBeatsWildcardOnItsOwnPath() {
    RuleSet set =
        RuleSet.of(
            List.of(
                Rule.of("below", "team/base/*", "quay.io/below/*"),
                Rule.of("exact", "team/base", "ghcr.io/acme/base"),
                Rule.of("team", "team/*", "quay.io/team/*")));
    assertThat(route(set, "team/base").rule().name()).isEqualTo("exact");
    assertThat(route(set, "team/base/x").rule().name()).isEqualTo("below");
    assertThat(route(set, "team/basex").rule().name()).isEqualTo("team");
  }

  @Test
  void route_wildcardNeedsSegmentBoundary() {
    assertThat(route("hubx/nginx").rule().name()).isEqualTo("default");
    assertThat(route("hub").rule().name()).isEqualTo("default");
    assertThat(route("hub").upstreamName()).isEqualTo("docker.io/library/hub");
  }

  @Test
  void route_defaultMatchesOnlyUnclaimedNames() {
    assertThat(route("library/nginx").rule().name()).isEqualTo("default");
    assertThat(route("library/nginx").upstreamName()).isEqualTo("docker.io/library/nginx");
    assertThat(route("a/b/c/d/e").rule().name()).isEqualTo("default");
  }

  @Test
  void route_ruleOrderDoesNotMatter() {
    List<Rule> shuffled = new ArrayList<>(rules.rules());
    Collections.shuffle(shuffled, new Random(7));
    RuleSet other = RuleSet.of(shuffled);
    for (String name :
        List.of("nginx", "hub/bitnami/redis", "hub/x", "team/base", "local/a/b", "k8s/pause")) {
      assertThat(route(other, name)).isEqualTo(route(name));
    }
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
    assertThat(RuleSet.of(List.of()).route(RepositoryName.of("nginx"))).isEmpty();
  }

  @Test
  void route_stripPrefixAndAddPrefix_rewriteTheMatchedPart() {
    RuleSet set =
        RuleSet.of(
            List.of(
                rewriting("bn", "bn/*", "docker.io/*", "bitnami/", "bitnamilegacy/"),
                rewriting("q", "q/*", "quay.io/org/*", "", "team/")));
    assertThat(route(set, "bn/bitnami/redis").upstreamName())
        .isEqualTo("docker.io/bitnamilegacy/redis");
    assertThat(route(set, "bn/other/redis").upstreamName())
        .isEqualTo("docker.io/bitnamilegacy/other/redis");
    assertThat(route(set, "q/app").upstreamName()).isEqualTo("quay.io/org/team/app");
  }

  @Test
  void route_stripPrefixLeavingOneSegmentOnDockerHub_getsLibrary() {
    RuleSet set = RuleSet.of(List.of(rewriting("hub", "hub/*", "docker.io/*", "library/", "")));
    assertThat(route(set, "hub/library/nginx").upstreamName()).isEqualTo("docker.io/library/nginx");
    assertThat(route(set, "hub/nginx").upstreamName()).isEqualTo("docker.io/library/nginx");
    assertThat(route(set, "hub/bitnami/redis").upstreamName()).isEqualTo("docker.io/bitnami/redis");
  }

  @Test
  void route_addPrefixOnDockerHub_needsNoLibrary() {
    RuleSet set = RuleSet.of(List.of(rewriting("m", "m/*", "docker.io/*", "", "mirror/")));
    assertThat(route(set, "m/nginx").upstreamName()).isEqualTo("docker.io/mirror/nginx");
  }

  @Test
  void route_longerWildcardMapsToTooLongName_fallsBackToShorter() {
    RuleSet set =
        RuleSet.of(
            List.of(
                Rule.of("default", "*", "docker.io/*"),
                Rule.of("a", "a/*", "quay.io/a/*"),
                Rule.of("long", "a/b/*", "quay.io/" + LONG + "/*")));
    assertThat(route(set, "a/b/short").rule().name()).isEqualTo("long");
    String deep = "a/b/" + "x".repeat(40);
    Route r = route(set, deep);
    assertThat(r.rule().name()).isEqualTo("a");
    assertThat(r.upstreamName()).isEqualTo("quay.io/a/b/" + "x".repeat(40));
  }

  @Test
  void route_fallbackSkipsEveryTooLongWildcard() {
    RuleSet set =
        RuleSet.of(
            List.of(
                Rule.of("default", "*", "docker.io/*"),
                Rule.of("a", "a/*", "quay.io/" + LONG + "/*"),
                Rule.of("long", "a/b/*", "quay.io/" + LONG + "/*")));
    Route r = route(set, "a/b/" + "x".repeat(40));
    assertThat(r.rule().name()).isEqualTo("default");
    assertThat(r.upstreamRepository().value()).isEqualTo("a/b/" + "x".repeat(40));
    RuleSet noDefault = RuleSet.of(set.rules().subList(1, 3));
    assertThat(noDefault.route(RepositoryName.of("a/b/" + "x".repeat(40)))).isEmpty();
  }

  @Test
  void of_sameTargetTwice_refusedNamingBothRules() {
    assertThatThrownBy(() ->
            RuleSet.of(
                List.of(
                    Rule.of("one", "hub/*", "docker.io/*"), Rule.of("two", "hub/*", "quay.io/*"))))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessageStartingWith("rules 'one' and 'two': field 'target': both claim 'hub/*'");
    assertThatThrownBy(() ->
            RuleSet.of(
                List.of(
                    Rule.of("one", "a/b", "ghcr.io/x/y"), Rule.of("two", "a/b", "ghcr.io/x/z"))))
        .hasMessageStartingWith("rules 'one' and 'two': field 'target': both claim 'a/b'");
    assertThatThrownBy(() ->
            RuleSet.of(
                List.of(Rule.of("one", "*", "docker.io/*"), Rule.of("two", "*", "quay.io/*"))))
        .hasMessageStartingWith("rules 'one' and 'two': field 'target': both claim '*'");
  }

  @Test
  void of_duplicateName_refusedNamingRuleAndField() {
    assertThatThrownBy(() ->
            RuleSet.of(
                List.of(Rule.of("one", "a/*", "docker.io/*"), Rule.of("one", "b/*", "quay.io/*"))))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessage("rule 'one': field 'name' is used by two rules (targets 'a/*' and 'b/*')");
  }

  @Test
  void of_missingListOrEntry_refused() {
    assertThatThrownBy(() -> RuleSet.of(null)).hasMessage("rules: the list is missing");
    List<Rule> withNull = Arrays.asList(Rule.of("one", "a/*", "docker.io/*"), null);
    assertThatThrownBy(() -> RuleSet.of(withNull))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessage("rules: entry 1 is missing");
    assertThatThrownBy(() -> RuleSet.of(List.of(), null))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessageStartingWith("governance: missing");
  }

  @Test
  void of_registryNotAllowed_refusedNamingRuleAndRegistry() {
    Governance governance = new Governance(Set.of("docker.io", "ghcr.io"), 10);
    assertThatThrownBy(() ->
            RuleSet.of(
                List.of(
                    Rule.of("hub", "hub/*", "docker.io/*"), Rule.of("quay", "q/*", "quay.io/*")),
                governance))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessage(
            "rule 'quay': field 'source': registry 'quay.io' is not in allowedRegistries"
                + " [docker.io, ghcr.io]");
  }

  @Test
  void of_dockerHubAliasesInGovernanceAndSource_match() {
    Governance governance = new Governance(Set.of("index.docker.io"), 10);
    RuleSet set =
        RuleSet.of(List.of(Rule.of("hub", "hub/*", "registry-1.docker.io/*")), governance);
    assertThat(set.governance()).isEqualTo(governance);
    assertThat(route(set, "hub/nginx").upstreamName()).isEqualTo("docker.io/library/nginx");
  }

  @Test
  void of_tooManyRules_refusedNamingLimit() {
    Governance two = new Governance(Set.of(), 2);
    List<Rule> three =
        List.of(
            Rule.of("a", "a/*", "docker.io/*"),
            Rule.of("b", "b/*", "docker.io/*"),
            Rule.of("c", "c/*", "docker.io/*"));
    assertThatThrownBy(() -> RuleSet.of(three, two))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessage("rules: 3 rules are more than the limit of 2 (maxRules)");
    assertThat(RuleSet.of(three.subList(0, 2), two).rules()).hasSize(2);
  }

  @Test
  void of_hundredThousandRules_routesEachKind() {
    List<Rule> many = new ArrayList<>();
    many.add(Rule.of("default", "*", "docker.io/*"));
    for (int i = 1; i < Governance.DEFAULT_MAX_RULES; i++) {
      many.add(
          i % 2 == 0
              ? Rule.of("s" + i, "team" + i + "/app", "ghcr.io/acme/app" + i)
              : Rule.of("w" + i, "org" + i + "/sub/*", "quay.io/org" + i + "/*"));
    }
    RuleSet set = RuleSet.of(many);
    assertThat(route(set, "team500/app").upstreamName()).isEqualTo("ghcr.io/acme/app500");
    assertThat(route(set, "org99999/sub/x/y").upstreamName()).isEqualTo("quay.io/org99999/x/y");
    assertThat(route(set, "org2/sub/x").rule().name()).isEqualTo("default");
    assertThat(set.rule("w77777")).map(Rule::target).contains("org77777/sub/*");
    many.add(Rule.of("one-more", "x/*", "docker.io/*"));
    assertThatThrownBy(() -> RuleSet.of(many))
        .hasMessage("rules: 100001 rules are more than the limit of 100000 (maxRules)");
  }

  @Test
  void rule_byName_findsOrIsEmpty() {
    assertThat(rules.rule("k8s")).map(Rule::target).contains("k8s/*");
    assertThat(rules.rule("nope")).isEmpty();
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

  @Test
  void route_staticDockerHubSourceWithOneSegment_getsLibrary() {
    RuleSet set = RuleSet.of(List.of(Rule.of("web", "team/web", "docker.io/nginx")));
    Route r = set.route(RepositoryName.of("team/web")).orElseThrow();
    assertThat(r.upstreamName()).isEqualTo("docker.io/library/nginx");
    assertThat(set.aliasesFor(Registry.of("docker.io"), RepositoryName.of("library/nginx")))
        .extracting(RepositoryName::value)
        .containsExactly("team/web");
  }
}
