/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.rules;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An entry of the {@code registries:} list: how one upstream registry is reached, and the settings
 * used for requests that name it with {@code ?ns=} (containerd's mirror parameter) rather than
 * through a rule's alias.
 *
 * @param registry the registry, with the endpoint its API is reached at
 * @param credentials the credential set for requests routed by {@code ns}, or null for anonymous
 *     pulls; rules that pull from this registry name their own
 * @param tagFreshness how long a tag fetched through {@code ns} is served without asking the
 *     upstream
 */
public record RegistryEntry(
    Registry registry, @Nullable String credentials, Duration tagFreshness) {

  /** Validates the fields; a null freshness becomes {@link Rule#DEFAULT_TAG_FRESHNESS}. */
  public RegistryEntry {
    if (registry == null) {
      throw new InvalidRuleException("registries: an entry has no registry");
    }
    if (tagFreshness == null) {
      tagFreshness = Rule.DEFAULT_TAG_FRESHNESS;
    }
    if (tagFreshness.isNegative()) {
      throw new InvalidRuleException(
          "registries: '" + registry.host() + "': field 'tagFreshness' is negative");
    }
    if (credentials != null && credentials.isBlank()) {
      throw new InvalidRuleException(
          "registries: '" + registry.host() + "': field 'credentials' is blank");
    }
  }

  /**
   * An entry for {@code host} as users write it in image references, reached at {@code url} (null
   * for the registry's own HTTPS address: {@code https://registry-1.docker.io} for {@code
   * docker.io}, {@code https://<host>} for any other).
   *
   * @throws InvalidRuleException naming the host and what is wrong
   */
  public static RegistryEntry of(
      String host, @Nullable String url, @Nullable String credentials, @Nullable Duration fresh) {
    return ofEndpoints(host, url == null ? List.of() : List.of(url), credentials, fresh);
  }

  /**
   * An entry for {@code host} reached at the first of {@code urls}, failing over to the next ones
   * in order when it is unhealthy (empty: the registry's own HTTPS address).
   *
   * @throws InvalidRuleException naming the host and what is wrong
   */
  public static RegistryEntry ofEndpoints(
      String host, List<String> urls, @Nullable String credentials, @Nullable Duration fresh) {
    Registry registry;
    try {
      registry = Registry.of(host);
      if (!urls.isEmpty()) {
        List<URI> endpoints = new ArrayList<>();
        for (String url : urls) {
          endpoints.add(endpoint(url));
        }
        registry =
            new Registry(registry.host(), endpoints.get(0), endpoints.subList(1, endpoints.size()));
      }
    } catch (IllegalArgumentException e) {
      throw new InvalidRuleException("registries: '" + host + "': " + e.getMessage());
    }
    return new RegistryEntry(
        registry, credentials, fresh == null ? Rule.DEFAULT_TAG_FRESHNESS : fresh);
  }

  private static URI endpoint(String url) {
    URI endpoint = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    if (endpoint.getPath() != null && !endpoint.getPath().isEmpty()) {
      throw new IllegalArgumentException(
          "url '" + url + "' must be scheme://host[:port] without a path");
    }
    return endpoint;
  }

  /** Whether the URL was given rather than derived from the host. */
  boolean hasOwnEndpoint() {
    return !registry.endpoints().equals(Registry.of(registry.host()).endpoints());
  }
}
