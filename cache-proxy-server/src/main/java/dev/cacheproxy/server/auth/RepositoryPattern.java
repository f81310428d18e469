/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.auth;

/**
 * The repositories a scope map entry covers, written like a rule's target: a static name ({@code
 * team/base}: that repository), a wildcard ({@code hub/library/*}: every repository below {@code
 * hub/library/}) or {@code *} (every repository).
 *
 * @param text the pattern as written
 */
public record RepositoryPattern(String text) {

  /**
   * Checks the pattern's form.
   *
   * @throws IllegalArgumentException when it is empty or has a {@code *} anywhere but as the whole
   *     last path component
   */
  public RepositoryPattern {
    if (text.isEmpty()) {
      throw new IllegalArgumentException("a repository pattern must not be empty");
    }
    int star = text.indexOf('*');
    if (star >= 0 && !(text.equals("*") || (star == text.length() - 1 && text.endsWith("/*")))) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not a repository pattern: use a name (team/base), a name ending in /*"
              + " (hub/library/*) or * alone");
    }
    if (text.startsWith("/") || text.contains("//") || (star < 0 && text.endsWith("/"))) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a repository pattern: empty path component");
    }
  }

  /** Whether {@code repository}, a name as the client wrote it, is covered by this pattern. */
  public boolean matches(String repository) {
    if (text.equals("*")) {
      return true;
    }
    if (text.endsWith("/*")) {
      String prefix = text.substring(0, text.length() - 1);
      return repository.length() > prefix.length() && repository.startsWith(prefix);
    }
    return repository.equals(text);
  }

  @Override
  public String toString() {
    return text;
  }
}
