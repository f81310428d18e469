/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks.load;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import org.jspecify.annotations.Nullable;

/**
 * One measured quantity across the systems of a run, such as the warm blob throughput of each
 * system.
 *
 * <p>Values are finite and non-negative (rates, times, bytes, CPU seconds, request counts). A
 * system that lacks the metric is absent from {@link #values()}; the map keeps insertion order.
 *
 * <p>Comparisons treat zeros so that a report never shows NaN: equal values compare as 1.0, and a
 * non-zero value against a zero one as infinity.
 *
 * @param group the table this metric belongs in, such as {@code "Pulls"} or {@code "Resources"}
 * @param name what is measured, such as {@code "warm blob throughput"}
 * @param unit the unit of the values, such as {@code "MB/s"}; empty for a plain count
 * @param higherIsBetter whether larger values are better (rates) or smaller ones (times, memory)
 * @param values each measured system's value, by system name
 * @param target what the issue asks of cache-proxy for this metric, or null when it asks nothing
 * @param note a remark printed under the report's tables; empty for none
 */
public record Metric(
    String group,
    String name,
    String unit,
    boolean higherIsBetter,
    Map<String, Double> values,
    @Nullable Target target,
    String note) {

  /** The name of our system, the one compared against all others (the references). */
  public static final String OURS = "cache-proxy";

  /**
   * What the issue asks of cache-proxy for one metric and whether this run met it.
   *
   * @param text the requirement, such as {@code "≥ 0.9× nginx sendfile"}
   * @param met whether this run's value meets it
   */
  public record Target(String text, boolean met) {

    /** Checks that the text is not blank. */
    public Target {
      requireText(text, "target text");
    }
  }

  /** Checks the names and values and copies the values into an unmodifiable ordered map. */
  public Metric {
    requireText(group, "group");
    requireText(name, "name");
    Objects.requireNonNull(unit, "unit");
    Objects.requireNonNull(note, "note");
    Map<String, Double> copy = new LinkedHashMap<>();
    values.forEach((system, value) -> {
      requireText(system, "system name in metric " + name);
      if (!Double.isFinite(value) || value < 0) {
        throw new IllegalArgumentException(
            "metric " + name + " of " + system + " must be finite and >= 0: " + value);
      }
      copy.put(system, value);
    });
    values = Collections.unmodifiableMap(copy);
  }

  /** The value measured for a system; empty when that system lacks this metric. */
  public OptionalDouble value(String system) {
    Double value = values.get(system);
    return value == null ? OptionalDouble.empty() : OptionalDouble.of(value);
  }

  /**
   * The best value among the references (every system but {@link #OURS}): the highest when {@link
   * #higherIsBetter()}, else the lowest; empty when no reference has this metric.
   */
  public OptionalDouble bestReference() {
    Optional<String> best = bestReferenceName();
    return best.isPresent() ? value(best.get()) : OptionalDouble.empty();
  }

  /** The name of the reference with the {@link #bestReference() best value}; the first on ties. */
  public Optional<String> bestReferenceName() {
    String best = null;
    double bestValue = 0;
    for (Map.Entry<String, Double> entry : values.entrySet()) {
      if (entry.getKey().equals(OURS)) {
        continue;
      }
      double value = entry.getValue();
      if (best == null || (higherIsBetter ? value > bestValue : value < bestValue)) {
        best = entry.getKey();
        bestValue = value;
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * The plain quotient cache-proxy ÷ best reference, in both directions: for a rate 0.93 means 7%
   * less throughput, for a time 1.02 means 2% slower. Empty when cache-proxy or every reference
   * lacks this metric.
   */
  public OptionalDouble ratioToBestReference() {
    OptionalDouble ours = value(OURS);
    OptionalDouble best = bestReference();
    if (ours.isEmpty() || best.isEmpty()) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(quotient(ours.getAsDouble(), best.getAsDouble()));
  }

  /**
   * A system's score for the chart, where 1.0 is the best reference and above 1 is better than it:
   * value ÷ best when {@link #higherIsBetter()}, else best ÷ value. Empty when the system or every
   * reference lacks this metric.
   */
  public OptionalDouble score(String system) {
    OptionalDouble value = value(system);
    OptionalDouble best = bestReference();
    if (value.isEmpty() || best.isEmpty()) {
      return OptionalDouble.empty();
    }
    double v = value.getAsDouble();
    double b = best.getAsDouble();
    return OptionalDouble.of(higherIsBetter ? quotient(v, b) : quotient(b, v));
  }

  /** Divides, with 0 ÷ 0 as 1 (equal) and x ÷ 0 as infinity. */
  private static double quotient(double dividend, double divisor) {
    if (dividend == divisor) {
      return 1.0;
    }
    return divisor == 0 ? Double.POSITIVE_INFINITY : dividend / divisor;
  }

  private static void requireText(String value, String what) {
    if (value.isBlank()) {
      throw new IllegalArgumentException(what + " must not be blank");
    }
  }
}
