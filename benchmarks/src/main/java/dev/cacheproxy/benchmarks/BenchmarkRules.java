/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks;

import dev.cacheproxy.rules.Governance;
import dev.cacheproxy.rules.Registries;
import dev.cacheproxy.rules.RegistryEntry;
import dev.cacheproxy.rules.Rule;
import dev.cacheproxy.rules.RuleSet;
import java.time.Duration;
import java.util.List;

/**
 * The rules of the storage benchmarks: {@code hub/*} → {@code docker.io/*}, with docker.io reached
 * at a closed loopback port, so a benchmark that hits the cache can never reach a real upstream.
 * Cached tags stay fresh for a day, so a tag lookup is a cache hit however long a run takes.
 */
final class BenchmarkRules {

  private BenchmarkRules() {}

  /** The rule set. */
  static RuleSet offline() {
    return RuleSet.of(
        List.of(
            new Rule(
                SyntheticCache.RULE,
                "hub/*",
                Rule.parseSource(SyntheticCache.RULE, "docker.io/*"),
                null,
                Duration.ofDays(1))),
        Governance.OPEN,
        Registries.of(List.of(RegistryEntry.of("docker.io", "http://127.0.0.1:9", null, null))));
  }
}
