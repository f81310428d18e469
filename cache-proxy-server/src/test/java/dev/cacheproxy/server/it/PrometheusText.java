/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import java.util.Map;
import java.util.TreeMap;

/**
 * The samples of a Prometheus text exposition (format 0.0.4), keyed by the metric name followed by
 * its labels sorted by name: {@code cacheproxy_fills_total{result="complete"}}. Comments ({@code #
 * HELP}, {@code # TYPE}) are skipped. Enough for asserting exact values in tests.
 */
final class PrometheusText {

  private final Map<String, Double> samples;

  private PrometheusText(Map<String, Double> samples) {
    this.samples = samples;
  }

  /** Parses a scrape. */
  static PrometheusText parse(String text) {
    Map<String, Double> samples = new TreeMap<>();
    for (String line : text.split("\n", -1)) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space;
      String name;
      Map<String, String> labels = new TreeMap<>();
      if (brace >= 0 && brace < line.indexOf(' ')) {
        name = line.substring(0, brace);
        int i = brace + 1;
        while (line.charAt(i) != '}') {
          int eq = line.indexOf('=', i);
          String key = line.substring(i, eq).trim();
          StringBuilder value = new StringBuilder();
          int j = eq + 2; // past ="
          while (line.charAt(j) != '"') {
            char c = line.charAt(j);
            if (c == '\\') {
              char next = line.charAt(++j);
              value.append(next == 'n' ? '\n' : next);
            } else {
              value.append(c);
            }
            j++;
          }
          labels.put(key, value.toString());
          i = j + 1;
          if (line.charAt(i) == ',') {
            i++;
          }
        }
        space = line.indexOf(' ', i);
      } else {
        space = line.indexOf(' ');
        name = line.substring(0, space);
      }
      String rest = line.substring(space + 1).trim();
      int end = rest.indexOf(' '); // a timestamp may follow
      samples.put(key(name, labels), Double.parseDouble(end < 0 ? rest : rest.substring(0, end)));
    }
    return new PrometheusText(samples);
  }

  /** The key of a sample: {@code name{a="1",b="2"}}, labels sorted; {@code name} without labels. */
  static String key(String name, Map<String, String> labels) {
    if (labels.isEmpty()) {
      return name;
    }
    StringBuilder key = new StringBuilder(name).append('{');
    new TreeMap<>(labels).forEach((k, v) -> key.append(k).append("=\"").append(v).append("\","));
    key.setLength(key.length() - 1);
    return key.append('}').toString();
  }

  /** The value of a sample, 0 when the scrape has none (a counter not yet created). */
  double value(String name, String... labelPairs) {
    Map<String, String> labels = new TreeMap<>();
    for (int i = 0; i < labelPairs.length; i += 2) {
      labels.put(labelPairs[i], labelPairs[i + 1]);
    }
    return samples.getOrDefault(key(name, labels), 0.0);
  }

  /** The value of a sample as a whole number. */
  long count(String name, String... labelPairs) {
    return Math.round(value(name, labelPairs));
  }

  /** Every sample whose name starts with {@code prefix}, for failure messages and reports. */
  Map<String, Double> startingWith(String prefix) {
    Map<String, Double> found = new TreeMap<>();
    samples.forEach((k, v) -> {
      if (k.startsWith(prefix)) {
        found.put(k, v);
      }
    });
    return found;
  }
}
