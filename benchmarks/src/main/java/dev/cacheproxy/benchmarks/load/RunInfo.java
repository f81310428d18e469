/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks.load;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Facts about a load run, printed atop its report.
 *
 * @param started when the run began
 * @param took how long the run took
 * @param mode how thorough the run was: {@code "full"} or {@code "quick"}
 * @param facts further facts in print order, such as {@code "machine" -> "2 CPUs, 24 GiB"}, the
 *     kernel, the JDK, the versions of the references, the emulated link and the proxy's JVM flags
 */
public record RunInfo(Instant started, Duration took, String mode, Map<String, String> facts) {

  /** The fact key whose value (the CPUs and memory) the chart's subtitle shows. */
  public static final String MACHINE = "machine";

  /** Checks the values and copies the facts into an unmodifiable ordered map. */
  public RunInfo {
    Objects.requireNonNull(started, "started");
    if (took.isNegative()) {
      throw new IllegalArgumentException("took must not be negative: " + took);
    }
    if (mode.isBlank()) {
      throw new IllegalArgumentException("mode must not be blank");
    }
    Map<String, String> copy = new LinkedHashMap<>();
    facts.forEach((key, value) -> {
      if (key.isBlank()) {
        throw new IllegalArgumentException("fact names must not be blank");
      }
      copy.put(key, Objects.requireNonNull(value, key));
    });
    facts = Collections.unmodifiableMap(copy);
  }
}
