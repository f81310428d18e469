/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.rules;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable, validated set of rules and the one place that decides which rule serves a
 * repository.
 *
 * <p>Precedence: a static target ({@code team/base}) beats every wildcard; among wildcards the
 * longer prefix wins ({@code hub/bitnami/*} beats {@code hub/*}); the default target {@code *}
 * matches only what no other rule claims. Two rules with the same target are refused, naming both.
 * Single-segment names routed to Docker Hub get {@code library/}, as the Docker CLI does.
 *
 * <p>Instances are thread-safe.
 */
public final class RuleSet {

  private final List<Rule> rules;
  private final Map<String, Rule> statics;
  private final List<Rule> wildcards;

  private RuleSet(List<Rule> rules) {
    this.rules = List.copyOf(rules);
    Map<String, Rule> byTarget = new HashMap<>();
    Map<String, Rule> byName = new HashMap<>();
    List<Rule> wild = new ArrayList<>();
    for (Rule rule : this.rules) {
      Rule sameName = byName.putIfAbsent(rule.name(), rule);
      if (sameName != null) {
        throw new InvalidRuleException(
            "rule '" + rule.name() + "': field 'name' is used by two rules");
      }
      Rule sameTarget = byTarget.putIfAbsent(rule.target(), rule);
      if (sameTarget != null) {
        throw new InvalidRuleException(
            "rules '"
                + sameTarget.name()
                + "' and '"
                + rule.name()
                + "' both claim target '"
                + rule.target()
                + "': remove one of them or make one more specific");
      }
      if (rule.isWildcard()) {
        wild.add(rule);
      }
    }
    wild.sort(Comparator.comparingInt((Rule r) -> r.targetPrefix().length()).reversed());
    this.wildcards = List.copyOf(wild);
    Map<String, Rule> stat = new HashMap<>();
    byTarget.forEach((target, rule) -> {
      if (!rule.isWildcard()) {
        stat.put(target, rule);
      }
    });
    this.statics = Map.copyOf(stat);
  }

  /**
   * Validates and creates a rule set; either the whole set is valid or none of it is used.
   *
   * @throws InvalidRuleException naming the rule, the field and the reason
   */
  public static RuleSet of(List<Rule> rules) {
    if (rules == null) {
      throw new InvalidRuleException("rules: the list is missing");
    }
    return new RuleSet(rules);
  }

  /** The rules, in the order they were given. */
  public List<Rule> rules() {
    return rules;
  }

  /** The rule with this name. */
  public Optional<Rule> rule(String name) {
    return rules.stream().filter(r -> r.name().equals(name)).findFirst();
  }

  /** Finds the rule that serves a repository, or empty if none does. */
  public Optional<Route> route(RepositoryName repository) {
    String name = repository.value();
    Rule exact = statics.get(name);
    if (exact != null) {
      return Optional.of(
          new Route(
              exact,
              repository,
              exact.source().registry(),
              RepositoryName.of(exact.source().repository())));
    }
    for (Rule rule : wildcards) {
      String prefix = rule.targetPrefix();
      if (name.length() > prefix.length() && name.startsWith(prefix)) {
        Optional<Route> route = wildcardRoute(rule, repository, name.substring(prefix.length()));
        if (route.isPresent()) {
          return route;
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<Route> wildcardRoute(Rule rule, RepositoryName client, String remainder) {
    Source source = rule.source();
    String upstream = source.prefix() + remainder;
    if (source.registry().isDockerHub() && upstream.indexOf('/') < 0) {
      upstream = "library/" + upstream;
    }
    if (!RepositoryName.isValid(upstream)) {
      return Optional.empty();
    }
    return Optional.of(new Route(rule, client, source.registry(), RepositoryName.of(upstream)));
  }

  /**
   * The repository names clients can use to reach an upstream repository, for listing a catalog.
   * Each name returned routes back to exactly this registry and repository.
   */
  public List<RepositoryName> aliasesFor(Registry registry, RepositoryName upstream) {
    List<RepositoryName> names = new ArrayList<>();
    String up = upstream.value();
    for (Rule rule : rules) {
      Source source = rule.source();
      if (!source.registry().host().equals(registry.host())) {
        continue;
      }
      String candidate = null;
      if (!rule.isWildcard()) {
        if (source.repository().equals(up)) {
          candidate = rule.target();
        }
      } else if (up.startsWith(source.prefix()) && up.length() > source.prefix().length()) {
        candidate = rule.targetPrefix() + up.substring(source.prefix().length());
      }
      if (candidate != null && RepositoryName.isValid(candidate)) {
        RepositoryName alias = RepositoryName.of(candidate);
        Optional<Route> back = route(alias);
        if (back.isPresent()
            && back.get().registry().host().equals(registry.host())
            && back.get().upstreamRepository().equals(upstream)
            && !names.contains(alias)) {
          names.add(alias);
        }
      }
    }
    names.sort(Comparator.naturalOrder());
    return names;
  }
}
