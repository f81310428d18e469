/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One mapping of a YAML configuration and its path ({@code ""} for the top level, {@code server},
 * {@code rules[2]}), so every error names the key it is about. Refuses unknown keys.
 */
final class ConfigSection {

  private final String path;
  private final String context;
  private final ObjectNode node;

  private ConfigSection(String path, String context, ObjectNode node) {
    this.path = path;
    this.context = context;
    this.node = node;
  }

  /**
   * The mapping at {@code path}; an absent or empty ({@code null}) value is an empty mapping.
   *
   * @param context added to messages after the key, such as {@code " (rule 'hub')"}
   */
  static ConfigSection of(String path, String context, @Nullable JsonNode value) {
    if (value == null || value.isMissingNode() || value.isNull()) {
      return new ConfigSection(path, context, JsonNodeFactory.instance.objectNode());
    }
    if (!(value instanceof ObjectNode object)) {
      throw new ConfigException(
          (path.isEmpty() ? "the configuration" : path)
              + context
              + " must be a mapping of keys to values, not "
              + kind(value));
    }
    return new ConfigSection(path, context, object);
  }

  /** The path of one of this mapping's keys, as messages name it. */
  String keyPath(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** Refuses keys other than {@code allowed}, naming the first unknown one and its path. */
  void allowOnly(List<String> allowed) {
    for (Map.Entry<String, JsonNode> entry : node.properties()) {
      String key = entry.getKey();
      if (!allowed.contains(key)) {
        String where = path.isEmpty() ? " at top level" : " at " + keyPath(key) + context;
        String hint = closest(key, allowed);
        throw new ConfigException(
            "unknown key '"
                + key
                + "'"
                + where
                + ": expected one of "
                + String.join(", ", allowed)
                + (hint == null ? "" : "; did you mean '" + hint + "'?"));
      }
    }
  }

  /** The value of a key, or null when it is absent or written as an empty value. */
  @Nullable JsonNode get(String key) {
    JsonNode value = node.get(key);
    return value == null || value.isNull() ? null : value;
  }

  /** The keys and values of this mapping, in the order written. */
  List<Map.Entry<String, JsonNode>> entries() {
    List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
    entries.addAll(node.properties());
    return entries;
  }

  /** A string value, or null when absent. Numbers and booleans are refused. */
  @Nullable String string(String key) {
    JsonNode value = get(key);
    if (value == null) {
      return null;
    }
    if (!value.isTextual()) {
      throw new ConfigException(keyPath(key) + context + " must be a string, not " + kind(value));
    }
    return value.asText();
  }

  /**
   * A list of strings, or null when absent. A list with anything but strings in it is refused,
   * naming the element.
   */
  @Nullable List<String> stringList(String key) {
    JsonNode value = get(key);
    if (value == null) {
      return null;
    }
    if (!value.isArray()) {
      throw new ConfigException(
          keyPath(key)
              + context
              + " must be a list of strings, such as [\"a\", \"b\"], not "
              + kind(value));
    }
    List<String> strings = new ArrayList<>();
    for (int i = 0; i < value.size(); i++) {
      JsonNode element = value.get(i);
      if (!element.isTextual()) {
        throw new ConfigException(
            keyPath(key) + "[" + i + "]" + context + " must be a string, not " + kind(element));
      }
      strings.add(element.asText());
    }
    return strings;
  }

  /** A string value that must be present and not blank. */
  String requiredString(String key) {
    String value = string(key);
    if (value == null || value.isBlank()) {
      throw new ConfigException(keyPath(key) + context + " is missing");
    }
    return value;
  }

  /** An integer value between {@code min} and {@code max}, or {@code fallback} when absent. */
  int integer(String key, int fallback, int min, int max) {
    JsonNode value = get(key);
    if (value == null) {
      return fallback;
    }
    if (!value.isIntegralNumber()
        || !value.canConvertToInt()
        || value.asInt() < min
        || value.asInt() > max) {
      throw new ConfigException(
          keyPath(key)
              + context
              + " must be an integer from "
              + min
              + " to "
              + max
              + ", not "
              + kind(value));
    }
    return value.asInt();
  }

  /**
   * A number, whole ({@code 10}) or decimal ({@code 0.5}), between {@code min} and {@code max}, or
   * {@code fallback} when absent. Strings, even of digits, are refused.
   */
  double decimal(String key, double fallback, double min, double max) {
    JsonNode value = get(key);
    if (value == null) {
      return fallback;
    }
    double number = value.isNumber() ? value.asDouble() : Double.NaN;
    if (!(number >= min && number <= max)) {
      throw new ConfigException(
          keyPath(key)
              + context
              + " must be a number from "
              + plain(min)
              + " to "
              + plain(max)
              + ", not "
              + kind(value));
    }
    return number;
  }

  /** A number as messages show it: {@code 1000000}, {@code 0.5}. */
  static String plain(double number) {
    return BigDecimal.valueOf(number).stripTrailingZeros().toPlainString();
  }

  /** A boolean value ({@code true} or {@code false}), or {@code fallback} when absent. */
  boolean bool(String key, boolean fallback) {
    JsonNode value = get(key);
    if (value == null) {
      return fallback;
    }
    if (!value.isBoolean()) {
      boolean quoted =
          value.isTextual()
              && (value.asText().equalsIgnoreCase("true")
                  || value.asText().equalsIgnoreCase("false"));
      throw new ConfigException(
          keyPath(key)
              + context
              + " must be true or false"
              + (quoted ? " without quotes" : "")
              + ", not "
              + kind(value));
    }
    return value.asBoolean();
  }

  /** A duration value such as {@code 30s}, or {@code fallback} when absent. */
  Duration duration(String key, Duration fallback) {
    JsonNode value = get(key);
    if (value == null) {
      return fallback;
    }
    if (!value.isTextual()) {
      throw new ConfigException(
          keyPath(key)
              + context
              + ": "
              + kind(value)
              + " is not a duration; write a number and a unit, such as 500ms, 30s, 5m or 1h");
    }
    return Durations.parse(keyPath(key) + context, value.asText());
  }

  /** A duration value such as {@code 7d}, or null when absent. */
  @Nullable Duration optionalDuration(String key) {
    return get(key) == null ? null : duration(key, Duration.ZERO);
  }

  /** Describes a value for an error message without echoing long text. */
  static String kind(JsonNode value) {
    if (value.isObject()) {
      return "a mapping";
    }
    if (value.isArray()) {
      return "a list";
    }
    String text = value.asText();
    return "'" + (text.length() > 60 ? text.substring(0, 60) + "…" : text) + "'";
  }

  private static @Nullable String closest(String key, List<String> allowed) {
    String best = null;
    int bestDistance = 3;
    for (String candidate : allowed) {
      int d = distance(key.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    return best;
  }

  /** The Levenshtein distance between two short strings. */
  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
