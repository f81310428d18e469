/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.rules;

import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An upstream registry: its canonical host name (the one users write in image references, such as
 * {@code docker.io} or {@code 127.0.0.1:5001}) and the URL its API is reached at.
 *
 * @param host the canonical host, with a port if one was given; {@code docker.io} for Docker Hub
 * @param endpoint the base URL of the registry API, without the {@code /v2/} path
 */
public record Registry(String host, URI endpoint) {

  /** Docker Hub's canonical name. */
  public static final String DOCKER_HUB = "docker.io";

  private static final Pattern HOST =
      Pattern.compile(
          "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]{1,5})?|\\[[0-9a-fA-F:.]+\\](?::[0-9]{1,5})?");

  /** Validates the host and endpoint. */
  public Registry {
    if (host == null || !HOST.matcher(host).matches()) {
      throw new IllegalArgumentException("invalid registry host '" + host + "'");
    }
    if (endpoint == null
        || endpoint.getHost() == null
        || !("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme()))) {
      throw new IllegalArgumentException(
          "invalid registry endpoint '" + endpoint + "': expected an http:// or https:// URL");
    }
    host = host.toLowerCase(Locale.ROOT);
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
