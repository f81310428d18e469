/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.UpstreamTimer;
import dev.cacheproxy.rules.Route;
import dev.cacheproxy.server.auth.AccessControl;
import dev.cacheproxy.server.auth.Action;
import dev.cacheproxy.server.auth.AuthMode;
import dev.cacheproxy.server.auth.Principal;
import dev.cacheproxy.server.auth.Resource;
import dev.cacheproxy.server.auth.Verdict;
import dev.cacheproxy.server.logging.RequestId;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;
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
 * (meant to be one virtual thread per task), so IO threads never block. One exception: with
 * anonymous access, a manifest by digest that the proxy holds in memory ({@link
 * CacheProxy#manifestFromMemory}) is answered on the IO thread, which blocks on nothing; that
 * doubled the manifest GETs per second a 2-core machine serves. Responses are written from the IO
 * thread ({@link IoThreadResponse}).
 *
 * <p>Logging: every request gets a request id on the IO thread ({@code X-Request-Id}, see {@link
 * RequestId}) and one access log line when it completes. While the dispatched work runs, the id is
 * in the SLF4J MDC under {@link RequestId#MDC_KEY}, so lines logged on the request's behalf carry
 * it, and an {@link UpstreamTimer} counts the time spent waiting for upstreams.
 *
 * <p>Access: an {@link AccessControl} decides on every request after it is parsed and before
 * anything touches the {@link CacheProxy}, on the dispatched thread (bcrypt is slow), so a refused
 * request gets the same answer whether or not its repository or tag exists. Unless the mode is
 * anonymous, {@code GET /v2/} is dispatched too and needs credentials; the catalog lists only what
 * the client may pull; the {@code /_cache-proxy/} endpoints need an admin. In token mode the token
 * endpoint {@code /_cache-proxy/token} is served by a {@link TokenHandler}.
 */
public final class RegistryHandler implements HttpHandler {

  private final CacheProxy proxy;
  private final Executor executor;
  private final ManifestHandler manifests;
  private final BlobHandler blobs;
  private final ListingHandler listings;
  private final RulesHandler rules;
  private final StorageHandler storage;
  private final UpstreamsHandler upstreams;
  private final ServedBytes served;
  private final AccessControl access;
  private final TokenHandler tokens;

  /**
   * Creates the handler.
   *
   * @param proxy the cache to serve; the handler does not close it
   * @param executor runs the blocking work of each request, typically {@code
   *     Executors.newVirtualThreadPerTaskExecutor()}
   */
  public RegistryHandler(CacheProxy proxy, Executor executor) {
    this(proxy, executor, AccessControl.anonymous());
  }

  /**
   * Creates the handler with access control.
   *
   * @param proxy the cache to serve; the handler does not close it
   * @param executor runs the blocking work of each request, typically {@code
   *     Executors.newVirtualThreadPerTaskExecutor()}
   * @param access decides who may do what
   */
  public RegistryHandler(CacheProxy proxy, Executor executor, AccessControl access) {
    this.proxy = proxy;
    this.executor = executor;
    this.access = access;
    this.tokens = new TokenHandler(access);
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
    if (access.mode() == AuthMode.TOKEN
        && exchange.getRequestPath().equals(AccessControl.TOKEN_PATH)) {
      exchange.dispatch(executor, dispatched -> serveToken(dispatched, requestId));
      return;
    }
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
    if (endpoint instanceof Endpoint.Base && access.mode() == AuthMode.ANONYMOUS) {
      Json.send(exchange, 200, Json.object());
      return;
    }
    Route routed = null;
    if (access.mode() == AuthMode.ANONYMOUS
        && endpoint instanceof Endpoint.Manifest manifest
        && manifest.reference() instanceof Digest digest) {
      // Anonymous access is decided without blocking, and a manifest by digest served lately is
      // in memory: then this IO thread answers it, with no hand-off to a virtual thread and back.
      try {
        routed = proxy.route(manifest.name(), manifest.namespace());
      } catch (RuntimeException e) {
        ErrorResponder.send(exchange, e);
        return;
      }
      if (authorize(exchange, endpoint) == null
          || manifests.answerFromMemory(exchange, routed, digest)) {
        return;
      }
    }
    Route route = routed;
    exchange.dispatch(executor, dispatched -> serve(dispatched, endpoint, requestId, route));
  }

  private void serve(
      HttpServerExchange exchange, Endpoint endpoint, String requestId, @Nullable Route routed) {
    MDC.put(RequestId.MDC_KEY, requestId);
    try (UpstreamTimer timer = UpstreamTimer.start()) {
      AccessLog.timed(exchange, timer);
      Principal principal = authorize(exchange, endpoint);
      if (principal != null) {
        route(exchange, endpoint, principal, routed);
      }
    } finally {
      MDC.remove(RequestId.MDC_KEY);
    }
  }

  private void serveToken(HttpServerExchange exchange, String requestId) {
    MDC.put(RequestId.MDC_KEY, requestId);
    try {
      tokens.handle(exchange);
    } catch (RuntimeException | Error e) {
      ErrorResponder.send(exchange, e);
    } finally {
      MDC.remove(RequestId.MDC_KEY);
    }
  }

  /** The principal {@code exchange} may proceed as, or null after answering it with a refusal. */
  private @Nullable Principal authorize(HttpServerExchange exchange, Endpoint endpoint) {
    Verdict verdict;
    try {
      verdict =
          access.check(
              exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION),
              resource(endpoint),
              TokenHandler.origin(exchange));
    } catch (RuntimeException | Error e) {
      ErrorResponder.send(exchange, e);
      return null;
    }
    AccessLog.user(exchange, verdict.principal());
    if (verdict instanceof Verdict.Refused refused) {
      String challenge = refused.challenge();
      if (challenge != null) {
        exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, challenge);
      }
      ErrorResponder.send(exchange, refused.code().httpStatus(), refused.code(), refused.message());
      return null;
    }
    return verdict.principal();
  }

  /** What {@code endpoint} uses; endpoints not listed need an admin. */
  private static Resource resource(Endpoint endpoint) {
    return switch (endpoint) {
      case Endpoint.Base unused -> new Resource.Base();
      case Endpoint.Manifest m -> new Resource.Repository(m.name().value(), Action.PULL);
      case Endpoint.Blob b -> new Resource.Repository(b.name().value(), Action.PULL);
      case Endpoint.Tags t -> new Resource.Repository(t.name().value(), Action.PULL);
      case Endpoint.Catalog unused -> new Resource.Catalog();
      default -> new Resource.Admin();
    };
  }

  private void route(
      HttpServerExchange exchange, Endpoint endpoint, Principal principal, @Nullable Route routed) {
    try {
      switch (endpoint) {
        case Endpoint.Manifest manifest -> manifests.handle(exchange, manifest, routed);
        case Endpoint.Blob blob -> blobs.handle(exchange, blob);
        case Endpoint.Tags tags -> listings.tags(exchange, tags);
        case Endpoint.Catalog catalog ->
            listings.catalog(
                exchange, catalog, name -> access.allows(principal, name, Action.PULL));
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
