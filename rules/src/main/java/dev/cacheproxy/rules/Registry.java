/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.rules;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An upstream registry: its canonical host name (the one users write in image references, such as
 * {@code docker.io} or {@code 127.0.0.1:5001}) and the URL its API is reached at.
 *
 * <p>A registry may be reached at several endpoints (a regional mirror first, the origin second):
 * {@code endpoint} is tried first, then each of {@code fallbacks} in order when the ones before are
 * unhealthy. All of them receive the registry's credentials.
 *
 * @param host the canonical host, with a port if one was given; {@code docker.io} for Docker Hub
 * @param endpoint the base URL of the registry API, without the {@code /v2/} path
 * @param fallbacks further base URLs, tried in order when the ones before fail; often empty
 */
public record Registry(String host, URI endpoint, List<URI> fallbacks) {

  /** Docker Hub's canonical name. */
  public static final String DOCKER_HUB = "docker.io";

  private static final Pattern HOST =
      Pattern.compile(
          "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]{1,5})?|\\[[0-9a-fA-F:.]+\\](?::[0-9]{1,5})?");

  /** Validates the host and endpoints. */
  public Registry {
    if (host == null || !HOST.matcher(host).matches()) {
      throw new IllegalArgumentException("invalid registry host '" + host + "'");
    }
    checkEndpoint(endpoint);
    if (fallbacks == null) {
      throw new IllegalArgumentException("registry '" + host + "': fallbacks is null");
    }
    List<URI> seen = new ArrayList<>(List.of(endpoint));
    for (URI fallback : fallbacks) {
      checkEndpoint(fallback);
      if (seen.contains(fallback)) {
        throw new IllegalArgumentException(
            "registry '" + host + "': endpoint '" + fallback + "' is listed twice");
      }
      seen.add(fallback);
    }
    fallbacks = List.copyOf(fallbacks);
    host = host.toLowerCase(Locale.ROOT);
  }

  /** A registry reached at one endpoint. */
  public Registry(String host, URI endpoint) {
    this(host, endpoint, List.of());
  }

  /** Every endpoint, in the order they are tried: {@link #endpoint()} first. */
  public List<URI> endpoints() {
    List<URI> all = new ArrayList<>(1 + fallbacks.size());
    all.add(endpoint);
    all.addAll(fallbacks);
    return List.copyOf(all);
  }

  private static void checkEndpoint(URI endpoint) {
    if (endpoint == null
        || endpoint.getHost() == null
        || !("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme()))) {
      throw new IllegalArgumentException(
          "invalid registry endpoint '" + endpoint + "': expected an http:// or https:// URL");
    }
  }

  /**
   * The registry for a host as users write it, reached over HTTPS. {@code docker.io} (and its
   * aliases {@code index.docker.io}, {@code registry-1.docker.io}) is reached at {@code
   * https://registry-1.docker.io}.
   */
  public static Registry of(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.equals("docker.io") || h.equals("index.docker.io") || h.equals("registry-1.docker.io")) {
      return new Registry(DOCKER_HUB, URI.create("https://registry-1.docker.io"));
    }
    return new Registry(h, endpoint("https://", h));
  }

  /** A registry reached over plain HTTP, for local upstreams and tests. */
  public static Registry plainHttp(String host) {
    return new Registry(host, endpoint("http://", host.toLowerCase(Locale.ROOT)));
  }

  /** A registry that is not Docker Hub, reached over HTTPS. */
  static Registry https(String host) {
    return new Registry(host, endpoint("https://", host));
  }

  /**
   * The URL for a host, reporting a host that is not even URL syntax as a bad host rather than as a
   * URL error; the constructor checks the host in full.
   */
  private static URI endpoint(String scheme, String host) {
    try {
      return URI.create(scheme + host);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid registry host '" + host + "'", e);
    }
  }

  /** Whether this is Docker Hub, whose single-segment names get {@code library/}. */
  public boolean isDockerHub() {
    return DOCKER_HUB.equals(host);
  }

  /** Whether {@code s} looks like a registry host rather than a repository path component. */
  static boolean looksLikeHost(String s) {
    return s.contains(".") || s.contains(":") || s.equals("localhost") || s.startsWith("[");
  }

  @Override
  public String toString() {
    return host;
  }
}
