/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import dev.cacheproxy.core.BlobInfo;
import dev.cacheproxy.core.BlobStream;
import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.rules.Route;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Methods;

/**
 * Answers {@code GET} and {@code HEAD /v2/<name>/blobs/<digest>}. {@code HEAD} asks for the size
 * only; {@code GET} opens the blob and hands it to {@link BlobSender}. Runs on a dispatched virtual
 * thread: opening a blob may wait for the upstream.
 */
final class BlobHandler {

  private final CacheProxy proxy;

  BlobHandler(CacheProxy proxy) {
    this.proxy = proxy;
  }

  void handle(HttpServerExchange exchange, Endpoint.Blob request) {
    Route route = AccessLog.routed(exchange, proxy.route(request.name(), request.namespace()));
    if (exchange.getRequestMethod().equals(Methods.HEAD)) {
      BlobInfo info = proxy.blobInfo(route, request.digest());
      BlobSender.headers(exchange, info.digest(), info.status(), info.size(), null);
      IoThreadResponse.end(exchange);
      return;
    }
    BlobStream blob = proxy.blob(route, request.digest());
    BlobSender.send(exchange, blob);
  }
}
