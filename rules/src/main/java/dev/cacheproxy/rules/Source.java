/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.rules;

/**
 * Where a rule pulls from: a registry and a repository there, or a repository prefix ending in
 * {@code *}.
 *
 * <p>Written as {@code docker.io/*}, {@code docker.io/bitnamilegacy/*}, {@code ghcr.io/acme/base}
 * or, for plain-HTTP upstreams such as local test registries, {@code
 * http://127.0.0.1:5001/library/*}. A source without a scheme is reached over HTTPS.
 *
 * @param registry the upstream registry
 * @param repository the repository at the registry, {@code *} for all of them, or a prefix ending
 *     in {@code /*}
 */
public record Source(Registry registry, String repository) {

  /** Validates the repository pattern. */
  public Source {
    if (registry == null) {
      throw new IllegalArgumentException("source has no registry");
    }
    if (repository == null || repository.isEmpty()) {
      throw new IllegalArgumentException(
          "source has no repository: write registry/* to mirror every repository");
    }
    if (!repository.equals("*")) {
      String fixed =
          repository.endsWith("/*") ? repository.substring(0, repository.length() - 2) : repository;
      if (fixed.contains("*")) {
        throw new IllegalArgumentException(
            "source repository '" + repository + "' may only end in /* or be *");
      }
      if (!RepositoryName.isValid(fixed)) {
        throw new IllegalArgumentException(
            "source repository '" + repository + "' is not a valid repository name");
      }
    }
  }

  /**
   * Parses a source as written in a configuration.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static Source parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("source is empty");
    }
    String rest = text.trim();
    boolean plain = false;
    boolean explicitScheme = false;
    if (rest.startsWith("http://")) {
      plain = true;
      explicitScheme = true;
      rest = rest.substring("http://".length());
    } else if (rest.startsWith("https://")) {
      explicitScheme = true;
      rest = rest.substring("https://".length());
    } else if (rest.contains("://")) {
      throw new IllegalArgumentException(
          "source '" + text + "' has a scheme other than http or https");
    }
    int slash = rest.indexOf('/');
    if (slash <= 0 || slash == rest.length() - 1) {
      throw new IllegalArgumentException(
          "source '"
              + text
              + "' must name a registry and a repository, like docker.io/* or ghcr.io/acme/base");
    }
    String host = rest.substring(0, slash);
    if (!explicitScheme && !Registry.looksLikeHost(host)) {
      throw new IllegalArgumentException(
          "source '"
              + text
              + "' must start with a registry host such as docker.io/ (found '"
              + host
              + "')");
    }
    Registry registry;
    if (plain) {
      registry = Registry.plainHttp(host);
    } else if (explicitScheme && !Registry.of(host).isDockerHub()) {
      registry = Registry.https(host);
    } else {
      registry = Registry.of(host);
    }
    return new Source(registry, rest.substring(slash + 1));
  }

  /** Whether the repository is a wildcard ({@code *} or ending in {@code /*}). */
  public boolean isWildcard() {
    return repository.endsWith("*");
  }

  /** The fixed prefix of a wildcard repository, with its trailing slash, or "" for {@code *}. */
  String prefix() {
    return repository.equals("*") ? "" : repository.substring(0, repository.length() - 1);
  }

  @Override
  public String toString() {
    String scheme = registry.endpoint().getScheme();
    return (scheme.equals("http") ? "http://" : "") + registry.host() + "/" + repository;
  }
}
