/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Checks the trie behind {@link RuleSet#route} against a brute-force matcher written from the
 * documented precedence, on random rule sets drawn from a small alphabet so that targets share
 * prefixes, statics sit on wildcard paths and long names force fallbacks.
 *
 * <p>The seed is fixed so CI runs the same cases; change it locally to explore more.
 */
class RuleSetPropertyTest {

  private static final String LONG = "l".repeat(200);
  private static final List<String> WILDCARD_SOURCES =
      List.of("docker.io/*", "docker.io/mirror/*", "ghcr.io/*", "quay.io/" + LONG + "/*");
  private static final List<String> STATIC_SOURCES =
      List.of("ghcr.io/acme/base", "docker.io/nginx", "quay.io/team/app");

  /** One generated rule: target, source, and rewriting (ignored for static targets). */
  record Spec(String target, String source, String strip, String add) {}

  @Property(tries = 1000, seed = "20261124")
  void route_agreesWithBruteForceReference(
      @ForAll("ruleSets") List<Rule> rules, @ForAll("names") List<String> names) {
    RuleSet set = RuleSet.of(rules);
    for (String value : names) {
      RepositoryName name = RepositoryName.of(value);
      Optional<Route> actual = set.route(name);
      Optional<Expected> expected = reference(rules, value);
      Statistics.label("outcome").collect(outcome(rules, value, expected));
      assertThat(actual.map(r -> r.rule().name()))
          .as("rule for %s", value)
          .isEqualTo(expected.map(e -> e.rule().name()));
      assertThat(actual.map(Route::upstreamName))
          .as("upstream for %s", value)
          .isEqualTo(expected.map(Expected::upstreamName));
      actual.ifPresent(r -> assertThat(r.clientRepository()).isEqualTo(name));
      assertThat(set.explain(name).route()).as("explain for %s", value).isEqualTo(actual);
    }
    // Fails the property unless the generators reached every kind of outcome.
    Statistics.label("outcome")
        .coverage(c -> {
          for (String kind : List.of("static", "wildcard", "default", "fallback", "none")) {
            c.check(kind).count(n -> n > 0);
          }
        });
  }

  record Expected(Rule rule, String upstreamName) {}

  /** The documented precedence, by scanning every rule and comparing strings. */
  static Optional<Expected> reference(List<Rule> rules, String name) {
    List<Rule> matching = new ArrayList<>();
    for (Rule rule : rules) {
      String target = rule.target();
      boolean matches =
          target.equals("*")
              || (target.endsWith("/*")
                  ? name.startsWith(target.substring(0, target.length() - 1))
                  : target.equals(name));
      if (matches) {
        matching.add(rule);
      }
    }
    matching.sort(
        Comparator.comparingInt(
                (Rule r) -> r.target().endsWith("*") ? r.target().length() : Integer.MAX_VALUE)
            .reversed());
    for (Rule rule : matching) {
      String source = rule.source().repository();
      String host = rule.source().registry().host();
      if (!rule.target().endsWith("*")) {
        boolean library = host.equals("docker.io") && !source.contains("/");
        return Optional.of(new Expected(rule, host + "/" + (library ? "library/" : "") + source));
      }
      String rest = name.substring(rule.target().length() - 1);
      String strip = rule.policy().stripPrefix();
      if (!strip.isEmpty() && rest.startsWith(strip)) {
        rest = rest.substring(strip.length());
      }
      String upstream = source.substring(0, source.length() - 1) + rule.policy().addPrefix() + rest;
      if (host.equals("docker.io") && !upstream.contains("/")) {
        upstream = "library/" + upstream;
      }
      if (upstream.length() <= RepositoryName.MAX_LENGTH) {
        return Optional.of(new Expected(rule, host + "/" + upstream));
      }
    }
    return Optional.empty();
  }

  private static String outcome(List<Rule> rules, String name, Optional<Expected> expected) {
    if (expected.isEmpty()) {
      return "none";
    }
    Rule winner = expected.get().rule();
    boolean moreSpecificLost =
        rules.stream()
            .anyMatch(r ->
                r.isWildcard()
                    && !r.isDefault()
                    && r.target().length() > winner.target().length()
                    && winner.isWildcard()
                    && name.startsWith(r.target().substring(0, r.target().length() - 1)));
    if (moreSpecificLost) {
      return "fallback";
    }
    return winner.isDefault() ? "default" : winner.isWildcard() ? "wildcard" : "static";
  }

  private static Arbitrary<String> segment() {
    return Arbitraries.of("a", "b", "c", "ab");
  }

  private static Arbitrary<String> path(int maxDepth) {
    return segment().list().ofMinSize(1).ofMaxSize(maxDepth).map(l -> String.join("/", l));
  }

  @Provide
  Arbitrary<List<Rule>> ruleSets() {
    Arbitrary<String> target =
        Arbitraries.frequencyOf(Tuple.of(1, path(3)), Tuple.of(2, path(3).map(p -> p + "/*")));
    Arbitrary<Spec> spec =
        Combinators.combine(
                target,
                Arbitraries.of(WILDCARD_SOURCES),
                Arbitraries.of(STATIC_SOURCES),
                Arbitraries.of("", "", "a/", "b/a/"),
                Arbitraries.of("", "", "x/", "y/z/"))
            .as((t, wild, stat, strip, add) ->
                t.endsWith("*") ? new Spec(t, wild, strip, add) : new Spec(t, stat, "", ""));
    Arbitrary<Optional<String>> defaultSource =
        Arbitraries.of(Optional.empty(), Optional.of("docker.io/*"), Optional.of("ghcr.io/*"));
    return Combinators.combine(
            spec.list().ofMaxSize(25).uniqueElements(Spec::target), defaultSource)
        .as(RuleSetPropertyTest::toRules);
  }

  private static List<Rule> toRules(List<Spec> specs, Optional<String> defaultSource) {
    List<Rule> rules = new ArrayList<>();
    defaultSource.ifPresent(s -> rules.add(Rule.of("default", "*", s)));
    for (int i = 0; i < specs.size(); i++) {
      Spec s = specs.get(i);
      String name = "r" + i;
      RulePolicy policy =
          RulePolicy.forRule(
              name, RulePolicy.Mode.ENABLED, List.of(), List.of(), null, s.strip(), s.add());
      rules.add(new Rule(name, s.target(), Rule.parseSource(name, s.source()), null, null, policy));
    }
    return rules;
  }

  @Provide
  Arbitrary<List<String>> names() {
    // A long segment makes names that are too long for the quay.io source with the long prefix.
    Arbitrary<String> seg =
        Arbitraries.frequencyOf(
            Tuple.of(12, segment()), Tuple.of(1, Arbitraries.just("x".repeat(50))));
    Arbitrary<String> name = seg.list().ofMinSize(1).ofMaxSize(5).map(l -> String.join("/", l));
    return name.list().ofMinSize(1).ofMaxSize(20);
  }
}
