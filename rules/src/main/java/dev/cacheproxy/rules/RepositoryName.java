/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.rules;

import java.util.regex.Pattern;

/**
 * A repository name as the OCI distribution specification defines it: path components of lower-case
 * letters and digits, separated by {@code .}, {@code _}, {@code __} or dashes, joined by {@code /}.
 *
 * @param value the name, for example {@code library/nginx}
 */
public record RepositoryName(String value) implements Comparable<RepositoryName> {

  /** The longest name accepted, as in the distribution registry. */
  public static final int MAX_LENGTH = 255;

  private static final Pattern GRAMMAR =
      Pattern.compile(
          "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*)*");

  /** Validates the name. */
  public RepositoryName {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("repository name is empty");
    }
    if (value.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "repository name is longer than " + MAX_LENGTH + " characters");
    }
    if (!GRAMMAR.matcher(value).matches()) {
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
        && GRAMMAR.matcher(value).matches();
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
