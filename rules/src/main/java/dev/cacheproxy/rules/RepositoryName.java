/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.rules;

/**
 * A repository name as the OCI distribution specification defines it: path components of lower-case
 * letters and digits, separated by {@code .}, {@code _}, {@code __} or dashes, joined by {@code /}.
 *
 * @param value the name, for example {@code library/nginx}
 */
public record RepositoryName(String value) implements Comparable<RepositoryName> {

  /** The longest name accepted, as in the distribution registry. */
  public static final int MAX_LENGTH = 255;

  /** Validates the name. */
  public RepositoryName {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("repository name is empty");
    }
    if (value.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "repository name is longer than " + MAX_LENGTH + " characters");
    }
    if (!matchesGrammar(value)) {
      throw new IllegalArgumentException(
          "invalid repository name '"
              + value
              + "': expected lower-case path components like library/nginx");
    }
  }

  /** Parses and validates a repository name. */
  public static RepositoryName of(String value) {
    return new RepositoryName(value);
  }

  /** Whether {@code value} is a valid repository name. */
  public static boolean isValid(String value) {
    return value != null
        && !value.isEmpty()
        && value.length() <= MAX_LENGTH
        && matchesGrammar(value);
  }

  /**
   * Whether {@code s} matches the distribution grammar {@code
   * [a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*}, checked in
   * one pass without a regex {@code Matcher}, so that matching a rule allocates nothing here.
   */
  private static boolean matchesGrammar(String s) {
    // 0: a component or separator ended, a letter or digit must follow; 1: in letters and digits;
    // 2: after one '_'; 3: after one or more '-'.
    int state = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        state = 1;
      } else if (state == 1 && (c == '.' || c == '/')) {
        state = 0;
      } else if (state == 1 && c == '_') {
        state = 2;
      } else if (state == 2 && c == '_') {
        state = 0;
      } else if ((state == 1 || state == 3) && c == '-') {
        state = 3;
      } else {
        return false;
      }
    }
    return state == 1;
  }

  /** The number of path components. */
  public int depth() {
    int n = 1;
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) == '/') {
        n++;
      }
    }
    return n;
  }

  @Override
  public int compareTo(RepositoryName other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
