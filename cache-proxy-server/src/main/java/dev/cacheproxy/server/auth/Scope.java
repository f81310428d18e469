/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.auth;

import dev.cacheproxy.rules.RepositoryName;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One scope of the Docker token flow, {@code type:name:actions}: {@code
 * repository:hub/library/alpine:pull} or {@code registry:catalog:*}. It is what a client asks the
 * token endpoint for, what the {@code access} claim of a JWT grants, and what a challenge names.
 *
 * @param type {@code repository} or {@code registry}
 * @param name the repository name, or {@code catalog}
 * @param actions the actions, such as {@code pull} or {@code *}
 */
record Scope(String type, String name, Set<String> actions) {

  /** The type of repository scopes. */
  static final String REPOSITORY = "repository";

  /** The type of the catalog scope. */
  static final String REGISTRY = "registry";

  /** The name of the catalog scope. */
  static final String CATALOG = "catalog";

  /** The catalog scope every principal is granted: {@code registry:catalog:*}. */
  static final Scope CATALOG_SCOPE = new Scope(REGISTRY, CATALOG, Set.of("*"));

  /** The most scopes a token request may name; the rest are ignored. */
  static final int MAX_SCOPES = 100;

  /** Copies the actions, keeping their order. */
  Scope {
    actions = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(actions));
  }

  /** The scope to pull {@code repository}. */
  static Scope pull(String repository) {
    return new Scope(REPOSITORY, repository, Set.of(Action.PULL.scopeName()));
  }

  /**
   * The scopes of token request parameters: each {@code scope} value holds one or more scopes,
   * separated by spaces (OAuth2 style). Scopes of other types, with invalid repository names or
   * without actions are left out, as are duplicates, whose actions are merged.
   */
  static List<Scope> parseAll(Collection<String> values) {
    Map<String, Scope> scopes = new LinkedHashMap<>();
    for (String value : values) {
      for (String text : value.strip().split("\\s+", -1)) {
        if (scopes.size() >= MAX_SCOPES) {
          break;
        }
        Scope scope = parse(text);
        if (scope != null) {
          String key = scope.type() + ":" + scope.name();
          Scope before = scopes.get(key);
          if (before != null) {
            Set<String> merged = new LinkedHashSet<>(before.actions());
            merged.addAll(scope.actions());
            scope = new Scope(scope.type(), scope.name(), merged);
          }
          scopes.put(key, scope);
        }
      }
    }
    return new ArrayList<>(scopes.values());
  }

  private static @org.jspecify.annotations.Nullable Scope parse(String text) {
    int first = text.indexOf(':');
    int last = text.lastIndexOf(':');
    if (first <= 0 || last <= first) {
      return null;
    }
    String type = text.substring(0, first);
    String name = text.substring(first + 1, last);
    Set<String> actions = new LinkedHashSet<>();
    for (String action : text.substring(last + 1).split(",", -1)) {
      if (!action.isEmpty()) {
        actions.add(action);
      }
    }
    if (actions.isEmpty()) {
      return null;
    }
    if (type.equals(REGISTRY) && name.equals(CATALOG)) {
      return new Scope(type, name, actions);
    }
    if (!type.equals(REPOSITORY)) {
      return null;
    }
    try {
      RepositoryName.of(name);
    } catch (IllegalArgumentException e) {
      return null;
    }
    return new Scope(type, name, actions);
  }

  /** Whether this scope grants {@code action} on repository {@code repository}. */
  boolean grants(String repository, Action action) {
    return type.equals(REPOSITORY)
        && name.equals(repository)
        && (actions.contains(action.scopeName()) || actions.contains("*"));
  }

  /** Whether this is the catalog scope. */
  boolean isCatalog() {
    return type.equals(REGISTRY) && name.equals(CATALOG);
  }

  /** The scope as written in a challenge or a request: {@code repository:NAME:pull}. */
  String text() {
    return type + ":" + name + ":" + String.join(",", actions);
  }
}
