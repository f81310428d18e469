/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.rules;

import org.jspecify.annotations.Nullable;

/**
 * A rule with what matching needs computed once: the prefix put before the rest of the name, and
 * the static rule's upstream name.
 */
final class CompiledRule {
  private static final String LIBRARY = "library/";

  private final Rule rule;
  private final Registry registry;
  private final String stripPrefix;
  private final String head;
  private final boolean dockerHub;
  private final @Nullable RepositoryName staticUpstream;

  CompiledRule(Rule rule) {
    this.rule = rule;
    this.registry = rule.source().registry();
    this.stripPrefix = rule.policy().stripPrefix();
    String addPrefix = rule.policy().addPrefix();
    this.head =
        !rule.isWildcard()
            ? ""
            : addPrefix.isEmpty() ? rule.source().prefix() : rule.source().prefix() + addPrefix;
    this.dockerHub = registry.isDockerHub();
    this.staticUpstream = rule.isWildcard() ? null : staticUpstream(rule);
  }

  Rule rule() {
    return rule;
  }

  /** The wildcard's prefix with its trailing slash ("" for {@code *}), or the static target. */
  String targetPrefix() {
    return rule.isWildcard() ? rule.targetPrefix() : rule.target();
  }

  /** Static rules first, then wildcards by prefix length, the default last. */
  int specificity() {
    return rule.isWildcard() ? rule.target().length() - 1 : Integer.MAX_VALUE;
  }

  /** Whether the target matches {@code name}, by comparing strings, as a reference for the trie. */
  boolean matches(String name) {
    String targetPrefix = targetPrefix();
    return rule.isWildcard()
        ? name.length() > targetPrefix.length() && name.startsWith(targetPrefix)
        : name.equals(targetPrefix);
  }

  /**
   * The route of {@code client} through this rule, or null when a wildcard maps it to an invalid
   * upstream name.
   *
   * @param prefixLength where the part of the name the wildcard matched starts
   */
  @Nullable Route route(RepositoryName client, int prefixLength) {
    if (staticUpstream != null) {
      return new Route(rule, client, registry, staticUpstream);
    }
    String name = client.value();
    String upstream = upstream(name, prefixLength);
    if (upstream.equals(name)) {
      return new Route(rule, client, registry, client);
    }
    if (upstream.length() > RepositoryName.MAX_LENGTH) {
      return null;
    }
    try {
      return new Route(rule, client, registry, RepositoryName.of(upstream));
    } catch (IllegalArgumentException e) {
      // Source prefix, addPrefix and the rest of a valid name always form a valid name, so only
      // the length can fail; this keeps the check exact without validating twice.
      return null;
    }
  }

  /**
   * The upstream name for a wildcard match before it is validated: the source prefix, {@code
   * addPrefix}, and the rest of the name after {@code stripPrefix}, with {@code library/} for a
   * single segment on Docker Hub. Cuts nothing out of the name when the rest is all of it.
   */
  String upstream(String name, int prefixLength) {
    int from = prefixLength;
    if (!stripPrefix.isEmpty() && name.startsWith(stripPrefix, from)) {
      from += stripPrefix.length();
    }
    String rest = name.substring(from);
    if (!head.isEmpty()) {
      // head ends in '/', so the name has more than one segment and needs no library/.
      return head + rest;
    }
    return dockerHub && rest.indexOf('/') < 0 ? LIBRARY + rest : rest;
  }

  /** A static rule's upstream name: its source repository, with {@code library/} on Docker Hub. */
  static RepositoryName staticUpstream(Rule rule) {
    String repository = rule.source().repository();
    boolean single = repository.indexOf('/') < 0;
    return RepositoryName.of(
        rule.source().registry().isDockerHub() && single ? LIBRARY + repository : repository);
  }
}
