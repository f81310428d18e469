/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.rules.Registry;
import dev.cacheproxy.rules.RepositoryName;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * One call to a registry endpoint, as the pullers describe it to {@link RegistryEndpointCaller}.
 *
 * @param registry the upstream registry
 * @param repository the repository the call is about; it decides the token scope
 * @param method {@code GET} or {@code HEAD}
 * @param uri the absolute URL on the registry's endpoint
 * @param headers extra request headers (Accept, Range), never Authorization
 * @param subject what the call is about in messages, like {@code docker.io/library/nginx:1.27}
 * @param notFoundCode the code a 404 gets when the upstream body names no better one
 */
record RegistryRequest(
    Registry registry,
    RepositoryName repository,
    String method,
    URI uri,
    List<Map.Entry<String, String>> headers,
    String subject,
    OciErrorCode notFoundCode) {

  RegistryRequest {
    headers = List.copyOf(headers);
  }

  /**
   * This request sent to another of the registry's endpoints: the URL rebased onto {@code
   * endpoint}, and a registry reached only there, so that authentication (schemes, tokens) and the
   * origin trusted with credentials follow the endpoint.
   */
  RegistryRequest at(URI endpoint) {
    if (endpoint.equals(registry.endpoint()) && registry.fallbacks().isEmpty()) {
      return this;
    }
    String from = base(registry.endpoint());
    String url = uri.toString();
    URI rebased =
        url.startsWith(from) ? URI.create(base(endpoint) + url.substring(from.length())) : uri;
    return new RegistryRequest(
        new Registry(registry.host(), endpoint),
        repository,
        method,
        rebased,
        headers,
        subject,
        notFoundCode);
  }

  private static String base(URI endpoint) {
    String base = endpoint.toString();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    return base;
  }

  /** The registry's base URL followed by {@code /v2/<repository>/<rest>}. */
  static URI v2(Registry registry, RepositoryName repository, String rest) {
    return URI.create(base(registry.endpoint()) + "/v2/" + repository.value() + "/" + rest);
  }
}
