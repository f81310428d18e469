/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.ProxyException;
import dev.cacheproxy.core.Reference;
import dev.cacheproxy.rules.Registry;
import dev.cacheproxy.rules.RepositoryName;
import io.undertow.util.Methods;
import java.util.Deque;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a request asks for, parsed from its method, path and query. Repository names contain
 * slashes, so paths are read from the right: {@code …/manifests/<reference>}, {@code
 * …/blobs/<digest>}, {@code …/tags/list}.
 */
sealed interface Endpoint {

  /** {@code GET /v2/}: the API version check. */
  record Base() implements Endpoint {}

  /** {@code GET /v2/_catalog}: the cached repositories. */
  record Catalog(Page page) implements Endpoint {}

  /**
   * {@code GET /v2/<name>/tags/list}: a repository's tags.
   *
   * @param namespace the registry named by {@code ?ns=}, or null
   */
  record Tags(RepositoryName name, @Nullable String namespace, Page page) implements Endpoint {}

  /**
   * {@code GET|HEAD /v2/<name>/manifests/<reference>}: a manifest by tag or digest.
   *
   * @param namespace the registry named by {@code ?ns=} (containerd's mirror parameter), or null
   */
  record Manifest(RepositoryName name, @Nullable String namespace, Reference reference)
      implements Endpoint {}

  /**
   * {@code GET|HEAD /v2/<name>/blobs/<digest>}: a blob.
   *
   * @param namespace the registry named by {@code ?ns=}, or null
   */
  record Blob(RepositoryName name, @Nullable String namespace, Digest digest) implements Endpoint {}

  /** {@code GET|HEAD /_cache-proxy/rules}: the rules in force and how often each matched. */
  record Rules() implements Endpoint {}

  /** {@code GET|HEAD /_cache-proxy/storage}: usage, limits and evictions of the cache's storage. */
  record Storage() implements Endpoint {}

  /**
   * {@code GET|HEAD /_cache-proxy/upstreams}: circuits, back-offs and stale serves per upstream.
   */
  record Upstreams() implements Endpoint {}

  /** The prefix of the proxy's own endpoints, which no repository name can start with. */
  String ADMIN_PREFIX = "/_cache-proxy/";

  /** The longest {@code ns} accepted, as long as the longest repository name. */
  int MAX_NAMESPACE = RepositoryName.MAX_LENGTH;

  /**
   * Parses a request.
   *
   * @throws ProxyException {@code UNSUPPORTED} (405) for writes, {@code NAME_UNKNOWN} (404) for
   *     unknown paths (also under {@code /_cache-proxy/}), {@code NAME_INVALID} (400) for an {@code
   *     ns} that is not a registry host, and the parsers' codes for invalid names ({@code
   *     NAME_INVALID}), digests ({@code DIGEST_INVALID}), tags ({@code MANIFEST_INVALID}) and the
   *     paging parameters ({@code PAGINATION_NUMBER_INVALID})
   */
  static Endpoint parse(String method, String path, Map<String, Deque<String>> query) {
    boolean read = method.equals(Methods.GET_STRING) || method.equals(Methods.HEAD_STRING);
    if (path.startsWith(ADMIN_PREFIX) || path.equals("/_cache-proxy")) {
      return admin(method, path, read);
    }
    if (!path.equals("/v2") && !path.startsWith("/v2/")) {
      throw unknown(path);
    }
    if (!read || path.endsWith("/blobs/uploads") || path.contains("/blobs/uploads/")) {
      throw new ProxyException(
          OciErrorCode.UNSUPPORTED,
          method
              + " "
              + shorten(path)
              + " is not supported: cache-proxy is a read-only pull-through cache; push to the"
              + " upstream registry instead");
    }
    String rest = path.length() <= "/v2/".length() ? "" : path.substring("/v2/".length());
    if (rest.isEmpty()) {
      return new Base();
    }
    if (rest.equals("_catalog")) {
      return new Catalog(Page.parse(query));
    }
    if (rest.endsWith("/tags/list")) {
      return new Tags(
          name(rest.substring(0, rest.length() - "/tags/list".length())),
          namespace(query),
          Page.parse(query));
    }
    int slash = rest.lastIndexOf('/');
    if (slash > 0) {
      String last = rest.substring(slash + 1);
      String before = rest.substring(0, slash);
      int previous = before.lastIndexOf('/');
      String kind = before.substring(previous + 1);
      String name = previous < 0 ? "" : before.substring(0, previous);
      if (kind.equals("manifests")) {
        RepositoryName repository = name(name);
        return new Manifest(repository, namespace(query), Reference.parse(last));
      }
      if (kind.equals("blobs")) {
        RepositoryName repository = name(name);
        return new Blob(repository, namespace(query), Digest.parse(last));
      }
    }
    throw unknown(path);
  }

  private static Endpoint admin(String method, String path, boolean read) {
    Endpoint endpoint;
    if (path.equals(ADMIN_PREFIX + "rules")) {
      endpoint = new Rules();
    } else if (path.equals(ADMIN_PREFIX + "storage")) {
      endpoint = new Storage();
    } else if (path.equals(ADMIN_PREFIX + "upstreams")) {
      endpoint = new Upstreams();
    } else {
      throw new ProxyException(
          OciErrorCode.NAME_UNKNOWN,
          "unknown path "
              + shorten(path)
              + ": cache-proxy serves "
              + ADMIN_PREFIX
              + "rules, "
              + ADMIN_PREFIX
              + "storage and "
              + ADMIN_PREFIX
              + "upstreams");
    }
    if (!read) {
      throw new ProxyException(
          OciErrorCode.UNSUPPORTED, method + " " + path + " is not supported: use GET");
    }
    return endpoint;
  }

  /**
   * The {@code ns} query parameter: the first value, or null when absent or empty. It must be a
   * registry host such as {@code docker.io} or {@code 127.0.0.1:5000} (no scheme, path, user or
   * query), at most {@value #MAX_NAMESPACE} characters; whether the proxy may pull from it is the
   * rules' decision ({@code DENIED} when it is not in the registries list), made without contacting
   * it.
   *
   * @throws ProxyException {@code NAME_INVALID} for anything else
   */
  private static @Nullable String namespace(Map<String, Deque<String>> query) {
    Deque<String> values = query.get("ns");
    String first = values == null ? null : values.peekFirst();
    if (first == null || first.isEmpty()) {
      return null;
    }
    if (first.length() > MAX_NAMESPACE || !isRegistryHost(first)) {
      throw new ProxyException(
          OciErrorCode.NAME_INVALID,
          "query parameter ns must be a registry host such as docker.io or 127.0.0.1:5000, not '"
              + (first.length() > 100 ? first.substring(0, 100) + "…" : first)
              + "'");
    }
    return first;
  }

  private static boolean isRegistryHost(String text) {
    try {
      Registry.of(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static RepositoryName name(String text) {
    try {
      return RepositoryName.of(text);
    } catch (IllegalArgumentException e) {
      throw new ProxyException(OciErrorCode.NAME_INVALID, shortenMessage(e.getMessage()));
    }
  }

  private static ProxyException unknown(String path) {
    return new ProxyException(
        OciErrorCode.NAME_UNKNOWN,
        "unknown path "
            + shorten(path)
            + ": cache-proxy serves /v2/, /v2/_catalog, /v2/<name>/manifests/<reference>,"
            + " /v2/<name>/blobs/<digest> and /v2/<name>/tags/list");
  }

  private static String shorten(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "…" : s;
  }

  private static String shortenMessage(@Nullable String message) {
    return message == null ? "invalid repository name" : shorten(message);
  }
}
