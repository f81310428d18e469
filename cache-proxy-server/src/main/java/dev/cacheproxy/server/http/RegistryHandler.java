/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.core.UpstreamTimer;
import dev.cacheproxy.server.logging.RequestId;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.concurrent.Executor;
import org.slf4j.MDC;

/**
 * The Undertow handler for the read side of the OCI distribution API: {@code GET /v2/}, manifests,
 * blobs, tag lists and the catalog, served from a {@link CacheProxy}, and the proxy's own {@code
 * GET /_cache-proxy/rules} and {@code GET /_cache-proxy/storage}. Writes are refused with {@code
 * 405 UNSUPPORTED}; every response carries {@code Docker-Distribution-API-Version: registry/2.0}
 * and errors go out as OCI JSON.
 *
 * <p>Threading: the request is parsed and validated on the IO thread; anything that touches the
 * {@link CacheProxy}, which blocks on the upstream and the disk, is dispatched to {@code executor}
 * (meant to be one virtual thread per task), so IO threads never block.
 *
 * <p>Logging: every request gets a request id on the IO thread ({@code X-Request-Id}, see {@link
 * RequestId}) and one access log line when it completes. While the dispatched work runs, the id is
 * in the SLF4J MDC under {@link RequestId#MDC_KEY}, so lines logged on the request's behalf carry
 * it, and an {@link UpstreamTimer} counts the time spent waiting for upstreams.
 */
public final class RegistryHandler implements HttpHandler {

  private final Executor executor;
  private final ManifestHandler manifests;
  private final BlobHandler blobs;
  private final ListingHandler listings;
  private final RulesHandler rules;
  private final StorageHandler storage;
  private final UpstreamsHandler upstreams;
  private final ServedBytes served;

  /**
   * Creates the handler.
   *
   * @param proxy the cache to serve; the handler does not close it
   * @param executor runs the blocking work of each request, typically {@code
   *     Executors.newVirtualThreadPerTaskExecutor()}
   */
  public RegistryHandler(CacheProxy proxy, Executor executor) {
    this.executor = executor;
    this.manifests = new ManifestHandler(proxy);
    this.blobs = new BlobHandler(proxy);
    this.listings = new ListingHandler(proxy);
    this.rules = new RulesHandler(proxy);
    this.storage = new StorageHandler(proxy);
    this.upstreams = new UpstreamsHandler(proxy);
    this.served = new ServedBytes(proxy.meterRegistry());
  }

  /** Parses the request on the IO thread and dispatches its work to the executor. */
  @Override
  public void handleRequest(HttpServerExchange exchange) {
    String requestId = AccessLog.attach(exchange);
    exchange.getResponseHeaders().put(OciHeaders.API_VERSION, OciHeaders.API_VERSION_VALUE);
    Endpoint endpoint;
    try {
      endpoint =
          Endpoint.parse(
              exchange.getRequestMethod().toString(),
              exchange.getRequestPath(),
              exchange.getQueryParameters());
    } catch (RuntimeException e) {
      ErrorResponder.send(exchange, e);
      return;
    }
    AccessLog.endpoint(exchange, endpoint);
    switch (endpoint) {
      case Endpoint.Manifest unused -> served.attach(exchange, "manifest");
      case Endpoint.Blob unused -> served.attach(exchange, "blob");
      case Endpoint.Tags unused -> served.attach(exchange, "tags");
      default -> {}
    }
    if (endpoint instanceof Endpoint.Base) {
      Json.send(exchange, 200, Json.object());
      return;
    }
    exchange.dispatch(executor, dispatched -> serve(dispatched, endpoint, requestId));
  }

  private void serve(HttpServerExchange exchange, Endpoint endpoint, String requestId) {
    MDC.put(RequestId.MDC_KEY, requestId);
    try (UpstreamTimer timer = UpstreamTimer.start()) {
      AccessLog.timed(exchange, timer);
      route(exchange, endpoint);
    } finally {
      MDC.remove(RequestId.MDC_KEY);
    }
  }

  private void route(HttpServerExchange exchange, Endpoint endpoint) {
    try {
      switch (endpoint) {
        case Endpoint.Manifest manifest -> manifests.handle(exchange, manifest);
        case Endpoint.Blob blob -> blobs.handle(exchange, blob);
        case Endpoint.Tags tags -> listings.tags(exchange, tags);
        case Endpoint.Catalog catalog -> listings.catalog(exchange, catalog);
        case Endpoint.Rules unused -> rules.handle(exchange);
        case Endpoint.Storage unused -> storage.handle(exchange);
        case Endpoint.Upstreams unused -> upstreams.handle(exchange);
        case Endpoint.Base base -> Json.send(exchange, 200, Json.object());
      }
    } catch (RuntimeException | Error e) {
      ErrorResponder.send(exchange, e);
    }
  }
}
