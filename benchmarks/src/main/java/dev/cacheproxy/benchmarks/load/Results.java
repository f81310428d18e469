/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks.load;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the run measured so far: one value per metric and system, plus the problems that make the
 * run fail (a pull that did not verify, more than one upstream GET per blob through cache-proxy).
 * Used from the runner's thread only.
 */
final class Results {

  /** A metric's identity and direction, before it has values. */
  record MetricKey(String group, String name, String unit, boolean higherIsBetter) {}

  private final Map<MetricKey, Map<String, Double>> values = new LinkedHashMap<>();
  private final List<String> problems = new ArrayList<>();

  /** Records {@code system}'s value of {@code key}. */
  void put(MetricKey key, String system, double value) {
    values.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(system, value);
  }

  /** A system's value of a metric, if measured. */
  Optional<Double> get(MetricKey key, String system) {
    return Optional.ofNullable(values.getOrDefault(key, Map.of()).get(system));
  }

  /** Records a problem that makes the run fail. */
  void problem(String problem) {
    problems.add(problem);
  }

  /** The problems recorded. */
  List<String> problems() {
    return List.copyOf(problems);
  }

  /** The metrics in the order first measured, each with the target {@link Targets} gives it. */
  List<Metric> metrics() {
    List<Metric> metrics = new ArrayList<>();
    values.forEach((key, bysystem) ->
        metrics.add(
            new Metric(
                key.group(), key.name(), key.unit(), key.higherIsBetter(), bysystem, null, "")));
    return metrics.stream().map(Targets::of).toList();
  }
}
