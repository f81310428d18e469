/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.rules;

import dev.cacheproxy.rules.internal.SegmentTrie;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An immutable, validated set of rules and the one place that decides which rule serves a
 * repository.
 *
 * <p>Precedence: a static target ({@code team/base}) beats every wildcard; among wildcards the
 * longer prefix wins ({@code hub/bitnami/*} beats {@code hub/*}); the default target {@code *}
 * matches only what no other rule claims. Two rules with the same target are refused, naming both.
 * Single-segment names routed to Docker Hub get {@code library/}, as the Docker CLI does. When the
 * most specific wildcard maps a name to an invalid upstream name (longer than {@value
 * RepositoryName#MAX_LENGTH} characters, say), the next less specific wildcard is tried.
 *
 * <p>A request may also name its registry with {@code ?ns=} (containerd does when it pulls through
 * a mirror): {@link #route(RepositoryName, String)} then routes it to that registry if the {@link
 * Registries} list has it, with the name as sent ({@code library/} added on Docker Hub), unless a
 * rule for the same registry claims the name (a path-prefixed mirror such as {@code ghcr/acme/app}
 * with {@code ns=ghcr.io}).
 *
 * <p>{@link #route} walks a trie over the path segments of the targets, built once when the set is
 * created: a match costs time proportional to the depth of the name, however many rules there are,
 * and allocates little more than the {@link Route} and its upstream name. {@link #explain} scans
 * every rule and must agree with it.
 *
 * <p>Concurrency: instances are immutable after construction (final fields; the trie and the maps
 * are never written after the constructor) and thread-safe without locking.
 */
public final class RuleSet {

  private final List<Rule> rules;
  private final Governance governance;
  private final Registries registries;
  private final Map<String, Rule> byName;

  /** The rules of {@code ns} requests, by registry host: target {@code *}, source the registry. */
  private final Map<String, CompiledRule> namespaceRules;

  /** The rules in the given order, compiled; never modified after the constructor. */
  private final List<CompiledRule> compiled;

  private final SegmentTrie<CompiledRule> trie;

  private RuleSet(List<Rule> rules, Governance governance, Registries registries) {
    if (rules.size() > governance.maxRules()) {
      throw new InvalidRuleException(
          "rules: "
              + rules.size()
              + " rules are more than the limit of "
              + governance.maxRules()
              + " (maxRules)");
    }
    for (int i = 0; i < rules.size(); i++) {
      if (rules.get(i) == null) {
        throw new InvalidRuleException("rules: entry " + i + " is missing");
      }
    }
    this.rules = resolveEndpoints(rules, registries);
    this.governance = governance;
    this.registries = registries;
    Map<String, Rule> names = HashMap.newHashMap(this.rules.size());
    List<CompiledRule> all = new ArrayList<>(this.rules.size());
    SegmentTrie.Builder<CompiledRule> builder = SegmentTrie.builder();
    for (Rule rule : this.rules) {
      Rule sameName = names.putIfAbsent(rule.name(), rule);
      if (sameName != null) {
        throw new InvalidRuleException(
            "rule '"
                + rule.name()
                + "': field 'name' is used by two rules (targets '"
                + sameName.target()
                + "' and '"
                + rule.target()
                + "')");
      }
      CompiledRule compiledRule = new CompiledRule(rule);
      CompiledRule sameTarget =
          rule.isDefault()
              ? builder.putBelow("", compiledRule)
              : rule.isWildcard()
                  ? builder.putBelow(rule.target(), rule.target().length() - 2, compiledRule)
                  : builder.putExact(rule.target(), compiledRule);
      if (sameTarget != null) {
        throw new InvalidRuleException(
            "rules '"
                + sameTarget.rule().name()
                + "' and '"
                + rule.name()
                + "': field 'target': both claim '"
                + rule.target()
                + "': remove one of them or make one more specific");
      }
      if (!governance.allows(rule.source().registry())) {
        throw new InvalidRuleException(
            "rule '"
                + rule.name()
                + "': field 'source': registry '"
                + rule.source().registry().host()
                + "' is not in allowedRegistries "
                + governance.allowedRegistries().stream().sorted().toList());
      }
      all.add(compiledRule);
    }
    this.byName = names;
    this.compiled = all;
    this.trie = builder.build();
    this.namespaceRules = namespaceRules(registries, governance, names);
  }

  /**
   * The rules with each source registry that the list has reached at the list's URL. A source that
   * gives its own URL (http://...) must agree with the list.
   */
  private static List<Rule> resolveEndpoints(List<Rule> rules, Registries registries) {
    if (registries.isEmpty()) {
      return List.copyOf(rules);
    }
    List<Rule> resolved = new ArrayList<>(rules.size());
    for (Rule rule : rules) {
      Registry registry = rule.source().registry();
      RegistryEntry entry = registries.find(registry.host()).orElse(null);
      if (entry == null || entry.registry().equals(registry)) {
        resolved.add(rule);
        continue;
      }
      if (!registry.endpoint().equals(entry.registry().endpoint())
          && !registry.endpoint().equals(Registry.of(registry.host()).endpoint())) {
        throw new InvalidRuleException(
            "rule '"
                + rule.name()
                + "': field 'source': '"
                + rule.source()
                + "' is reached at "
                + registry.endpoint()
                + ", but registries: '"
                + registry.host()
                + "' says "
                + entry.registry().endpoint()
                + "; write the source without a scheme, or make the two agree");
      }
      resolved.add(
          new Rule(
              rule.name(),
              rule.target(),
              new Source(entry.registry(), rule.source().repository()),
              rule.credentials(),
              rule.tagFreshness(),
              rule.policy()));
    }
    return List.copyOf(resolved);
  }

  private static Map<String, CompiledRule> namespaceRules(
      Registries registries, Governance governance, Map<String, Rule> ruleNames) {
    Map<String, CompiledRule> byHost = HashMap.newHashMap(registries.entries().size());
    Map<String, String> names = new HashMap<>();
    for (RegistryEntry entry : registries.entries()) {
      String host = entry.registry().host();
      if (!governance.allows(entry.registry())) {
        throw new InvalidRuleException(
            "registries: '"
                + host
                + "' is not in allowedRegistries "
                + governance.allowedRegistries().stream().sorted().toList());
      }
      String name = namespaceRuleName(host);
      Rule taken = ruleNames.get(name);
      if (taken != null) {
        throw new InvalidRuleException(
            "rule '"
                + name
                + "': field 'name' is reserved for requests that name registry '"
                + host
                + "' with ?ns=; rename the rule");
      }
      String other = names.putIfAbsent(name, host);
      if (other != null) {
        throw new InvalidRuleException(
            "registries: '" + other + "' and '" + host + "' would share the rule name " + name);
      }
      Rule rule =
          new Rule(
              name,
              "*",
              new Source(entry.registry(), "*"),
              entry.credentials(),
              entry.tagFreshness(),
              RulePolicy.DEFAULT);
      byHost.put(host, new CompiledRule(rule));
    }
    return Map.copyOf(byHost);
  }

  /**
   * The name of the rule that serves {@code ns} requests for a registry, as shown in logs and
   * counters: {@code ns.} and the host, with characters a rule name cannot hold as {@code -}.
   */
  public static String namespaceRuleName(String host) {
    String name = "ns." + host.replaceAll("[^A-Za-z0-9._-]", "-");
    return name.length() > 64 ? name.substring(0, 64) : name;
  }

  /**
   * Validates and creates a rule set; either the whole set is valid or none of it is used.
   *
   * @throws InvalidRuleException naming the rule, the field and the reason
   */
  public static RuleSet of(List<Rule> rules) {
    return of(rules, Governance.OPEN);
  }

  /**
   * Validates and creates a rule set under {@code governance}: every source registry must be
   * allowed and the set must not exceed the rule limit. Either the whole set is valid or none of it
   * is used.
   *
   * @throws InvalidRuleException naming the rule, the field and the reason
   */
  public static RuleSet of(List<Rule> rules, Governance governance) {
    return of(rules, governance, Registries.NONE);
  }

  /**
   * Validates and creates a rule set under {@code governance}, with {@code registries} saying how
   * each registry is reached and which ones {@code ?ns=} may name. Every listed registry must be
   * allowed too. Either the whole set is valid or none of it is used.
   *
   * @throws InvalidRuleException naming the rule or registry, the field and the reason
   */
  public static RuleSet of(List<Rule> rules, Governance governance, Registries registries) {
    if (rules == null) {
      throw new InvalidRuleException("rules: the list is missing");
    }
    if (governance == null) {
      throw new InvalidRuleException("governance: missing; use Governance.OPEN for no limits");
    }
    if (registries == null) {
      throw new InvalidRuleException("registries: missing; use Registries.NONE for none");
    }
    return new RuleSet(rules, governance, registries);
  }

  /** The registries list this set was created with. */
  public Registries registries() {
    return registries;
  }

  /** The limits this set was validated against. */
  public Governance governance() {
    return governance;
  }

  /** The rules, in the order they were given. */
  public List<Rule> rules() {
    return rules;
  }

  /** The rule with this name. */
  public Optional<Rule> rule(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** Finds the rule that serves a repository, or empty if none does. */
  public Optional<Route> route(RepositoryName repository) {
    for (SegmentTrie.Match<CompiledRule> match = trie.find(repository.value());
        match != null;
        match = match.fallback()) {
      Route route = match.value().route(repository, match.prefixLength());
      if (route != null) {
        return Optional.of(route);
      }
    }
    return Optional.empty();
  }

  /**
   * Finds the route of a request that may name its registry with {@code ?ns=}. Without {@code
   * namespace} this is {@link #route(RepositoryName)}. With it, a rule that claims the name and
   * pulls from that same registry wins (path-prefixed mirroring: {@code ghcr/acme/app} with {@code
   * ns=ghcr.io} through a rule {@code ghcr/*} → {@code ghcr.io/*}); otherwise the name is pulled
   * from that registry as sent, with {@code library/} added to single names on Docker Hub, using
   * the registry's {@link RegistryEntry} settings.
   *
   * @throws NamespaceDeniedException when {@code namespace} is not in the registries list
   */
  public Optional<Route> route(RepositoryName repository, @Nullable String namespace) {
    if (namespace == null || namespace.isEmpty()) {
      return route(repository);
    }
    RegistryEntry entry =
        registries.find(namespace).orElseThrow(() -> new NamespaceDeniedException(namespace));
    String host = entry.registry().host();
    Optional<Route> byRule = route(repository);
    if (byRule.isPresent() && byRule.get().registry().host().equals(host)) {
      return byRule;
    }
    CompiledRule rule = namespaceRules.get(host);
    return rule == null ? Optional.empty() : Optional.ofNullable(rule.route(repository, 0));
  }

  /**
   * Explains how {@code repository} is matched: which rule wins, and why each other rule lost or
   * did not match. Scans every rule, so it is meant for tools, not for the request path; it finds
   * the same route as {@link #route}.
   */
  public Explanation explain(RepositoryName repository) {
    String name = repository.value();
    // Static first, then the longer prefix, the default last; no two matching rules tie.
    List<CompiledRule> byPrecedence = new ArrayList<>(compiled);
    byPrecedence.sort(Comparator.comparingInt(CompiledRule::specificity).reversed());
    List<CompiledRule> matching = new ArrayList<>();
    List<Explanation.Candidate> missed = new ArrayList<>();
    for (CompiledRule c : byPrecedence) {
      Rule rule = c.rule();
      if (c.matches(name)) {
        matching.add(c);
      } else {
        missed.add(
            new Explanation.Candidate(
                rule,
                Explanation.Verdict.NO_MATCH,
                rule.isWildcard()
                    ? "'" + name + "' does not start with '" + c.targetPrefix() + "'"
                    : "'" + name + "' is not '" + rule.target() + "'"));
      }
    }
    Route route = null;
    List<Explanation.Candidate> candidates = new ArrayList<>(compiled.size());
    List<Explanation.Candidate> invalid = new ArrayList<>();
    List<Explanation.Candidate> lost = new ArrayList<>();
    for (CompiledRule c : matching) {
      Rule rule = c.rule();
      if (route != null) {
        lost.add(
            new Explanation.Candidate(
                rule,
                Explanation.Verdict.LOST,
                "matches, but rule '"
                    + route.rule().name()
                    + "' is more specific"
                    + (route.rule().isWildcard()
                        ? ""
                        : " (a static target beats every wildcard)")));
        continue;
      }
      route = c.route(repository, c.targetPrefix().length());
      if (route == null) {
        String upstream = c.upstream(name, c.targetPrefix().length());
        invalid.add(
            new Explanation.Candidate(
                rule,
                Explanation.Verdict.LOST,
                "matches, but maps to '"
                    + upstream
                    + "', which is not a valid upstream repository name"
                    + (upstream.length() > RepositoryName.MAX_LENGTH
                        ? " (longer than " + RepositoryName.MAX_LENGTH + " characters)"
                        : "")));
      } else {
        candidates.add(
            new Explanation.Candidate(
                rule,
                Explanation.Verdict.CHOSEN,
                (rule.isWildcard()
                        ? rule.isDefault()
                            ? "the default target * matches every name no other rule claims"
                            : "the longest matching prefix '" + c.targetPrefix() + "'"
                        : "the static target equals the name")
                    + (invalid.isEmpty() ? "" : " that maps to a valid upstream repository name")
                    + "; upstream "
                    + route.upstreamName()));
      }
    }
    candidates.addAll(invalid);
    candidates.addAll(lost);
    candidates.addAll(missed);
    return new Explanation(repository, Optional.ofNullable(route), candidates);
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
        if (CompiledRule.staticUpstream(rule).value().equals(up)) {
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
