/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.rules.Explanation.Candidate;
import dev.cacheproxy.rules.Explanation.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

class RuleSetExplainTest {

  private final RuleSet rules =
      RuleSet.of(
          List.of(
              Rule.of("default", "*", "docker.io/*"),
              Rule.of("hub", "hub/*", "docker.io/*"),
              Rule.of("bitnami", "hub/bitnami/*", "docker.io/bitnamilegacy/*"),
              Rule.of("team-base", "team/base", "ghcr.io/acme/base"),
              Rule.of("team", "team/*", "quay.io/team/*"),
              Rule.of("k8s", "k8s/*", "registry.k8s.io/*")));

  private Explanation explain(RuleSet set, String name) {
    return set.explain(RepositoryName.of(name));
  }

  private static List<String> names(Explanation e) {
    return e.candidates().stream().map(c -> c.rule().name()).toList();
  }

  @Test
  void explain_winnerFirstWithReason_thenLosersMostSpecificFirst() {
    Explanation e = explain(rules, "hub/bitnami/redis");
    assertThat(e.repository().value()).isEqualTo("hub/bitnami/redis");
    assertThat(e.route()).isEqualTo(rules.route(e.repository()));
    assertThat(names(e).subList(0, 3)).containsExactly("bitnami", "hub", "default");
    Candidate winner = e.candidates().get(0);
    assertThat(winner.verdict()).isEqualTo(Verdict.CHOSEN);
    assertThat(winner.reason())
        .isEqualTo(
            "the longest matching prefix 'hub/bitnami/'; upstream docker.io/bitnamilegacy/redis");
    assertThat(e.candidates().get(1).verdict()).isEqualTo(Verdict.LOST);
    assertThat(e.candidates().get(1).reason())
        .isEqualTo("matches, but rule 'bitnami' is more specific");
    assertThat(e.candidates().get(2).reason())
        .isEqualTo("matches, but rule 'bitnami' is more specific");
  }

  @Test
  void explain_everyRuleOnce_nonMatchesSayWhy() {
    Explanation e = explain(rules, "hub/bitnami/redis");
    assertThat(names(e))
        .containsExactlyInAnyOrder("default", "hub", "bitnami", "team-base", "team", "k8s");
    assertThat(e.candidates().subList(3, 6))
        .allSatisfy(c -> assertThat(c.verdict()).isEqualTo(Verdict.NO_MATCH));
    assertThat(e.candidates())
        .filteredOn(c -> c.rule().name().equals("team-base"))
        .singleElement()
        .extracting(Candidate::reason)
        .isEqualTo("'hub/bitnami/redis' is not 'team/base'");
    assertThat(e.candidates())
        .filteredOn(c -> c.rule().name().equals("k8s"))
        .singleElement()
        .extracting(Candidate::reason)
        .isEqualTo("'hub/bitnami/redis' does not start with 'k8s/'");
  }

  @Test
  void explain_staticWinner_losersSayStaticBeatsWildcards() {
    Explanation e = explain(rules, "team/base");
    assertThat(names(e).subList(0, 3)).containsExactly("team-base", "team", "default");
    assertThat(e.candidates().get(0).reason())
        .isEqualTo("the static target equals the name; upstream ghcr.io/acme/base");
    assertThat(e.candidates().get(1).reason())
        .isEqualTo(
            "matches, but rule 'team-base' is more specific"
                + " (a static target beats every wildcard)");
  }

  @Test
  void explain_defaultWinner_saysItIsTheDefault() {
    Explanation e = explain(rules, "nginx");
    assertThat(e.candidates().get(0).rule().name()).isEqualTo("default");
    assertThat(e.candidates().get(0).reason())
        .isEqualTo(
            "the default target * matches every name no other rule claims;"
                + " upstream docker.io/library/nginx");
    assertThat(e.candidates().subList(1, 6))
        .allSatisfy(c -> assertThat(c.verdict()).isEqualTo(Verdict.NO_MATCH));
  }

  @Test
  void explain_nothingMatches_emptyRouteAndOnlyNonMatches() {
    RuleSet set = RuleSet.of(rules.rules().subList(1, 6));
    Explanation e = explain(set, "nginx");
    assertThat(e.route()).isEmpty();
    assertThat(e.candidates()).hasSize(5);
    assertThat(e.candidates()).allSatisfy(c -> assertThat(c.verdict()).isEqualTo(Verdict.NO_MATCH));
  }

  @Test
  void explain_fallback_saysWhyTheMoreSpecificRuleLost() {
    RuleSet set =
        RuleSet.of(
            List.of(
                Rule.of("default", "*", "docker.io/*"),
                Rule.of("a", "a/*", "quay.io/a/*"),
                Rule.of("long", "a/b/*", "quay.io/" + RuleSetTest.LONG + "/*")));
    String name = "a/b/" + "x".repeat(40);
    Explanation e = explain(set, name);
    assertThat(e.route()).isEqualTo(set.route(RepositoryName.of(name)));
    assertThat(names(e)).containsExactly("a", "long", "default");
    assertThat(e.candidates().get(0).verdict()).isEqualTo(Verdict.CHOSEN);
    assertThat(e.candidates().get(0).reason())
        .startsWith(
            "the longest matching prefix 'a/' that maps to a valid upstream repository name;");
    Candidate lost = e.candidates().get(1);
    assertThat(lost.verdict()).isEqualTo(Verdict.LOST);
    assertThat(lost.reason())
        .startsWith("matches, but maps to '" + RuleSetTest.LONG + "/")
        .endsWith("which is not a valid upstream repository name (longer than 255 characters)");
    assertThat(e.candidates().get(2).reason()).isEqualTo("matches, but rule 'a' is more specific");
  }

  @Test
  void explain_agreesWithRoute() {
    for (String name :
        List.of(
            "nginx",
            "hub",
            "hub/x",
            "hub/bitnami",
            "hub/bitnami/x/y",
            "team",
            "team/base",
            "team/base/x",
            "k8s/pause",
            "library/nginx")) {
      RepositoryName repository = RepositoryName.of(name);
      assertThat(rules.explain(repository).route()).as(name).isEqualTo(rules.route(repository));
    }
  }
}
