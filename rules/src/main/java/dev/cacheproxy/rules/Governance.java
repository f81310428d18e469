/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.rules;

import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Limits on a rule set as a whole: which upstream registries rules may pull from, and how many
 * rules there may be. A rule outside these limits is refused when the set is loaded, so nothing
 * outside the allowed registries is ever contacted.
 *
 * @param allowedRegistries registry hosts rules may name as sources ({@code docker.io}, {@code
 *     ghcr.io}, {@code 127.0.0.1:5001}); empty allows every registry
 * @param maxRules the most rules a set may hold
 */
public record Governance(Set<String> allowedRegistries, int maxRules) {

  /** The default limit on the number of rules. */
  public static final int DEFAULT_MAX_RULES = 100_000;

  /** Every registry allowed, at most {@link #DEFAULT_MAX_RULES} rules. */
  public static final Governance OPEN = new Governance(Set.of(), DEFAULT_MAX_RULES);

  /** Validates and normalizes the fields. */
  public Governance {
    allowedRegistries =
        allowedRegistries.stream()
            .map(h -> Registry.of(h).host().toLowerCase(Locale.ROOT))
            .collect(Collectors.toUnmodifiableSet());
    if (maxRules < 1) {
      throw new IllegalArgumentException("maxRules must be at least 1");
    }
  }

  /** Whether rules may pull from {@code registry}. */
  public boolean allows(Registry registry) {
    return allowedRegistries.isEmpty() || allowedRegistries.contains(registry.host());
  }
}
