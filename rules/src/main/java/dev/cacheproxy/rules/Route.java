/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.rules;

/**
 * The result of matching a client's repository name: which rule matched and which upstream
 * repository serves it.
 *
 * @param rule the rule that matched
 * @param clientRepository the repository name the client asked for
 * @param registry the upstream registry
 * @param upstreamRepository the repository at the upstream registry
 */
public record Route(
    Rule rule,
    RepositoryName clientRepository,
    Registry registry,
    RepositoryName upstreamRepository) {

  /** The upstream as users would write it, such as {@code docker.io/library/nginx}. */
  public String upstreamName() {
    return registry.host() + "/" + upstreamRepository.value();
  }
}
