/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.core.Manifest;
import dev.cacheproxy.core.ManifestResult;
import dev.cacheproxy.rules.Route;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Answers {@code GET} and {@code HEAD /v2/<name>/manifests/<reference>} with the manifest's exact
 * bytes, media type, digest and cache status. Runs on a dispatched virtual thread: the lookup may
 * wait for the upstream.
 */
final class ManifestHandler {

  private final CacheProxy proxy;

  ManifestHandler(CacheProxy proxy) {
    this.proxy = proxy;
  }

  void handle(HttpServerExchange exchange, Endpoint.Manifest request) {
    List<String> accept = AcceptHeader.mediaTypes(exchange.getRequestHeaders().get(Headers.ACCEPT));
    Route route = AccessLog.routed(exchange, proxy.route(request.name(), request.namespace()));
    ManifestResult result = proxy.manifest(route, request.reference(), accept);
    Manifest manifest = result.manifest();
    HeaderMap headers = exchange.getResponseHeaders();
    headers.put(Headers.CONTENT_TYPE, manifest.mediaType());
    headers.put(OciHeaders.CONTENT_DIGEST, manifest.digest().toString());
    headers.put(Headers.ETAG, "\"" + manifest.digest() + "\"");
    headers.put(OciHeaders.X_CACHE, result.status().name());
    exchange.setResponseContentLength(manifest.size());
    if (exchange.getRequestMethod().equals(Methods.HEAD)) {
      exchange.endExchange();
    } else {
      exchange.getResponseSender().send(ByteBuffer.wrap(manifest.content()));
    }
  }
}
