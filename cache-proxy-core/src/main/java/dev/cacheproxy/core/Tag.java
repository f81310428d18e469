/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

import java.util.regex.Pattern;

/**
 * A tag, as the OCI distribution specification defines it: up to 128 characters of letters, digits,
 * {@code _}, {@code .} and {@code -}, not starting with {@code .} or {@code -}.
 *
 * @param value the tag
 */
public record Tag(String value) implements Reference, Comparable<Tag> {

  private static final Pattern GRAMMAR = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");

  /** Validates the tag. */
  public Tag {
    if (value == null || !GRAMMAR.matcher(value).matches()) {
      throw new ProxyException(
          OciErrorCode.MANIFEST_INVALID,
          "invalid tag '"
              + shorten(value)
              + "': expected up to 128 letters, digits, '_', '.' or '-'");
    }
  }

  /** Parses a tag. */
  public static Tag parse(String text) {
    return new Tag(text);
  }

  /** Whether {@code text} is a valid tag. */
  public static boolean isValid(String text) {
    return text != null && GRAMMAR.matcher(text).matches();
  }

  static String shorten(String s) {
    if (s == null) {
      return "null";
    }
    return s.length() > 80 ? s.substring(0, 80) + "…" : s;
  }

  @Override
  public int compareTo(Tag other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
