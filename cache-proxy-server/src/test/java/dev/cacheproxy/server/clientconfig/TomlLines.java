/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.clientconfig;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader for the small TOML subset the generator writes (comments, tables, arrays of
 * tables, {@code key = "string" | true | false | number | ["string", ...]}, an optional trailing
 * comment), so that a stray quote or bracket fails a test. Keys are flattened as {@code table.key};
 * an array of tables gets an index, {@code registry[0].location}.
 */
final class TomlLines {

  private static final String STRING = "\"[^\"\\\\]*\"";
  private static final String KEY = "[A-Za-z0-9_-]+|" + STRING;
  private static final Pattern TABLE =
      Pattern.compile("\\[((?:" + KEY + ")(?:\\.(?:" + KEY + "))*)\\]");
  private static final Pattern ARRAY_TABLE =
      Pattern.compile("\\[\\[((?:" + KEY + ")(?:\\.(?:" + KEY + "))*)\\]\\]");
  private static final Pattern PAIR =
      Pattern.compile(
          "\\s*("
              + KEY
              + ")\\s*=\\s*("
              + STRING
              + "|true|false|[0-9]+|\\[\\s*(?:"
              + STRING
              + "(?:\\s*,\\s*"
              + STRING
              + ")*)?\\s*\\])\\s*(?:#.*)?");

  private TomlLines() {}

  /** Parses {@code toml}, failing the test on any line outside the subset or a repeated key. */
  static Map<String, String> parse(String toml) {
    Map<String, String> values = new LinkedHashMap<>();
    Map<String, Integer> arrays = new LinkedHashMap<>();
    String table = "";
    for (String line : toml.lines().toList()) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      Matcher m;
      if ((m = ARRAY_TABLE.matcher(trimmed)).matches()) {
        String path = arrayPath(unquote(m.group(1)), arrays);
        table = path + "[" + (arrays.merge(path, 1, Integer::sum) - 1) + "]";
        continue;
      }
      if ((m = TABLE.matcher(trimmed)).matches()) {
        table = unquote(m.group(1));
        continue;
      }
      m = PAIR.matcher(line);
      assertThat(m.matches()).as("TOML line '%s' in%n%s", line, toml).isTrue();
      String key = (table.isEmpty() ? "" : table + ".") + unquote(m.group(1));
      String value = m.group(2);
      if (value.startsWith("\"")) {
        value = unquote(value);
      }
      assertThat(values.put(key, value)).as("TOML key %s repeated in%n%s", key, toml).isNull();
    }
    return values;
  }

  /** {@code registry.mirror} inside {@code registry[1]} is {@code registry[1].mirror}. */
  private static String arrayPath(String name, Map<String, Integer> arrays) {
    int dot = name.lastIndexOf('.');
    if (dot < 0) {
      return name;
    }
    String parent = arrayPath(name.substring(0, dot), arrays);
    Integer count = arrays.get(parent);
    assertThat(count).as("[[%s]] before its parent", name).isNotNull();
    return parent + "[" + (count - 1) + "]" + name.substring(dot);
  }

  /** A key or dotted table name without its quotes. */
  private static String unquote(String s) {
    return s.replace("\"", "");
  }
}
