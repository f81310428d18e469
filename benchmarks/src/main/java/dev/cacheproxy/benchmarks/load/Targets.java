/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import org.jspecify.annotations.Nullable;

/**
 * The targets for cache-proxy, attached to the metrics they are about, each checked against
 * this run's values: warm blob GETs ≥ 0.9× nginx sendfile and ≥ 1.5× distribution's proxy; a cold
 * pull ≤ 1.05× the direct pull; time to first byte of a cold blob within 10 ms of the upstream's;
 * one upstream GET per blob for concurrent cold pulls; manifest GETs by digest ≥ nginx {@code
 * proxy_cache}; peak RSS under 256 MiB.
 */
final class Targets {
  static final double RSS_LIMIT_MIB = 256;

  private Targets() {}

  /** The metric with its target, or unchanged when the issue sets none for it. */
  static Metric of(Metric m) {
    Metric.@Nullable Target target = target(m);
    return target == null
        ? m
        : new Metric(
            m.group(), m.name(), m.unit(), m.higherIsBetter(), m.values(), target, m.note());
  }

  private static Metric.@Nullable Target target(Metric m) {
    OptionalDouble ours = m.value(Metric.OURS);
    if (ours.isEmpty()) {
      return null;
    }
    double v = ours.getAsDouble();
    String name = m.name();
    if (m.group().equals(Scenarios.BLOBS)) {
      List<String> parts = new ArrayList<>();
      boolean met = true;
      for (String[] ref : new String[][] {{Run.NGINX_SENDFILE, "0.9"}, {Run.DISTRIBUTION, "1.5"}}) {
        OptionalDouble r = m.value(ref[0]);
        if (r.isPresent()) {
          double ratio = v / r.getAsDouble();
          met &= ratio >= Double.parseDouble(ref[1]);
          parts.add(String.format(Locale.ROOT, "≥ %s× %s (%.2f×)", ref[1], ref[0], ratio));
        }
      }
      return parts.isEmpty() ? null : new Metric.Target(String.join(", ", parts), met);
    }
    OptionalDouble direct = m.value(Run.DIRECT);
    if (name.startsWith("cold pull") && direct.isPresent()) {
      double ratio = v / direct.getAsDouble();
      return new Metric.Target(
          String.format(Locale.ROOT, "≤ 1.05× %s (%.2f×)", Run.DIRECT, ratio), ratio <= 1.05);
    }
    if (name.startsWith("time to first byte") && direct.isPresent()) {
      double more = v - direct.getAsDouble();
      return new Metric.Target(
          String.format(Locale.ROOT, "≤ %s + 10 ms (%+.1f ms)", Run.DIRECT, more), more <= 10);
    }
    if (name.contains("upstream GETs per blob")) {
      return new Metric.Target("exactly 1", v == 1);
    }
    OptionalDouble nginx = m.value(Run.NGINX_CACHE);
    if (m.group().equals(Scenarios.MANIFESTS)
        && name.startsWith("by digest")
        && m.higherIsBetter()
        && nginx.isPresent()) {
      double ratio = v / nginx.getAsDouble();
      return new Metric.Target(
          String.format(Locale.ROOT, "≥ %s (%.2f×)", Run.NGINX_CACHE, ratio), ratio >= 1);
    }
    if (name.startsWith("peak RSS")) {
      return new Metric.Target("< 256 MiB (heap 128 MiB)", v < RSS_LIMIT_MIB);
    }
    return null;
  }
}
