/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.Manifest;
import dev.cacheproxy.core.ManifestResult;
import dev.cacheproxy.rules.Route;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Answers {@code GET} and {@code HEAD /v2/<name>/manifests/<reference>} with the manifest's exact
 * bytes, media type, digest and cache status. Runs on a dispatched virtual thread: the lookup may
 * wait for the upstream.
 *
 * <p>The client's {@code Accept} list is forwarded upstream and keys the lookup, so only what looks
 * like a media type is kept ({@code type/subtype} of RFC 6838 names, or wildcards), at most {@value
 * #MAX_ACCEPTED_TYPES} of them; the rest is dropped. An {@code Accept} with nothing usable left is
 * as if there were none.
 */
final class ManifestHandler {

  /** The most media types of a client's {@code Accept} headers that are considered. */
  static final int MAX_ACCEPTED_TYPES = 32;

  /** An RFC 6838 {@code type-name "/" subtype-name}, or {@code type/*}, or {@code *}{@code /*}. */
  private static final Pattern MEDIA_TYPE =
      Pattern.compile(
          "\\*/\\*|[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/(?:\\*|[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126})");

  private final CacheProxy proxy;

  ManifestHandler(CacheProxy proxy) {
    this.proxy = proxy;
  }

  /**
   * Answers a manifest by digest along {@code route} when the proxy has it in memory, and says
   * whether it did; never blocks, so the IO thread may call it. Otherwise nothing is sent and the
   * request goes to {@link #handle}.
   */
  boolean answerFromMemory(HttpServerExchange exchange, Route route, Digest digest) {
    Optional<ManifestResult> result = proxy.manifestFromMemory(route, digest);
    if (result.isEmpty()) {
      return false;
    }
    AccessLog.routed(exchange, route);
    respond(exchange, result.get());
    return true;
  }

  /**
   * Answers a manifest request on a dispatched thread, along {@code routed} when the IO thread
   * already routed it (null: route it here).
   */
  void handle(HttpServerExchange exchange, Endpoint.Manifest request, @Nullable Route routed) {
    List<String> accept =
        usable(AcceptHeader.mediaTypes(exchange.getRequestHeaders().get(Headers.ACCEPT)));
    Route route =
        AccessLog.routed(
            exchange, routed != null ? routed : proxy.route(request.name(), request.namespace()));
    respond(exchange, proxy.manifest(route, request.reference(), accept));
  }

  private static void respond(HttpServerExchange exchange, ManifestResult result) {
    Manifest manifest = result.manifest();
    HeaderMap headers = exchange.getResponseHeaders();
    headers.put(Headers.CONTENT_TYPE, manifest.mediaType());
    headers.put(OciHeaders.CONTENT_DIGEST, manifest.digest().toString());
    headers.put(Headers.ETAG, "\"" + manifest.digest() + "\"");
    headers.put(OciHeaders.X_CACHE, result.status().name());
    exchange.setResponseContentLength(manifest.size());
    if (exchange.getRequestMethod().equals(Methods.HEAD)) {
      IoThreadResponse.end(exchange);
    } else {
      IoThreadResponse.send(exchange, ByteBuffer.wrap(manifest.content()));
    }
  }

  /** The media types among {@code types}, in order, at most {@value #MAX_ACCEPTED_TYPES}. */
  static List<String> usable(List<String> types) {
    List<String> kept = new ArrayList<>(Math.min(types.size(), MAX_ACCEPTED_TYPES));
    for (String type : types) {
      if (kept.size() == MAX_ACCEPTED_TYPES) {
        break;
      }
      if (MEDIA_TYPE.matcher(type).matches()) {
        kept.add(type);
      }
    }
    return List.copyOf(kept);
  }
}
