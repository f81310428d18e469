/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.auth;

import java.util.List;
import java.util.Set;

/**
 * A named set of grants, {@code repository pattern → actions}, that users and tokens are bound to
 * (ACR's scope maps). A client may do what any of its scope maps grants.
 *
 * @param name the scope map's name in {@code auth.scopeMaps}
 * @param grants the grants, in the order written
 */
public record ScopeMap(String name, List<Grant> grants) {

  /** Copies the grants. */
  public ScopeMap {
    grants = List.copyOf(grants);
  }

  /**
   * One grant of a scope map.
   *
   * @param pattern the repositories it covers
   * @param actions what it allows on them
   */
  public record Grant(RepositoryPattern pattern, Set<Action> actions) {

    /** Copies the actions. */
    public Grant {
      actions = Set.copyOf(actions);
    }
  }

  /** Whether this scope map allows {@code action} on {@code repository}. */
  public boolean allows(String repository, Action action) {
    for (Grant grant : grants) {
      if (grant.actions().contains(action) && grant.pattern().matches(repository)) {
        return true;
      }
    }
    return false;
  }
}
