/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks;

import dev.cacheproxy.rules.RepositoryName;
import dev.cacheproxy.rules.Rule;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Synthetic rule sets for the rule benchmarks: a default rule {@code *} and, in turn, static
 * targets ({@code team4/app}) and nested wildcards of depth 1 to 3 ({@code org5/*}, {@code
 * org5/team/*}, {@code org5/team/sub/*}), so every size from 10 rules up has each kind.
 */
final class RuleSets {

  private RuleSets() {}

  /** {@code count} rules, the default first. */
  static List<Rule> rules(int count) {
    List<Rule> rules = new ArrayList<>(count);
    rules.add(Rule.of("default", "*", "docker.io/*"));
    for (int i = 0; rules.size() < count; i++) {
      rules.add(
          switch (i % 4) {
            case 0 -> Rule.of("s" + i, "team" + i + "/app", "ghcr.io/acme/app" + i);
            case 1 -> Rule.of("w" + i, "org" + i + "/*", "quay.io/org" + i + "/*");
            case 2 -> Rule.of("w" + i, "org" + (i - 1) + "/team/*", "quay.io/team" + i + "/*");
            default ->
                Rule.of("w" + i, "org" + (i - 2) + "/team/sub/*", "docker.io/sub" + i + "/*");
          });
    }
    return rules;
  }

  /**
   * {@code n} names that hit {@code hit} in a set of {@code ruleCount} rules made by {@link
   * #rules}, drawn with a fixed seed.
   */
  static RepositoryName[] names(RuleMatchBenchmark.Hit hit, int ruleCount, int n) {
    Random random = new Random(42);
    // Rule i (counting from 0 after the default) exists when i < ruleCount - 1.
    int groups = Math.max(1, (ruleCount - 1) / 4);
    RepositoryName[] names = new RepositoryName[n];
    for (int j = 0; j < n; j++) {
      int k = 4 * random.nextInt(groups);
      String name =
          switch (hit) {
            case STATIC -> "team" + k + "/app";
            case DEEP_WILDCARD -> "org" + (k + 1) + "/team/sub/app" + j % 16 + "/v1";
            case DEFAULT -> "proj" + random.nextInt(1_000_000) + "/app";
            case DEFAULT_LIBRARY -> "img" + random.nextInt(1_000_000);
          };
      names[j] = RepositoryName.of(name);
    }
    return names;
  }
}
