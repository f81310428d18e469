/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.rules;

import java.util.List;
import java.util.Optional;

/**
 * Why a repository name routes where it does: the winning route, if any, and every rule that was
 * considered with the reason it won, lost or did not match.
 *
 * @param repository the name that was matched
 * @param route the winning route, or empty when no rule matches
 * @param candidates every rule of the set, the winner first, then the rules that matched but lost
 *     (most specific first), then those that did not match
 */
public record Explanation(
    RepositoryName repository, Optional<Route> route, List<Candidate> candidates) {

  /** Copies the list. */
  public Explanation {
    candidates = List.copyOf(candidates);
  }

  /** What happened to one rule. */
  public enum Verdict {
    /** This rule serves the repository. */
    CHOSEN,
    /** This rule matches, but a more specific one wins. */
    LOST,
    /** This rule does not match the name. */
    NO_MATCH
  }

  /**
   * One rule and what happened to it.
   *
   * @param rule the rule
   * @param verdict chosen, lost or no match
   * @param reason a sentence saying why
   */
  public record Candidate(Rule rule, Verdict verdict, String reason) {}
}
