/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import dev.cacheproxy.rules.Route;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs one line per request on the logger {@code cache-proxy.access}: client, method, path with
 * query, status, bytes sent, duration, {@code X-Cache}, and for a routed request the rule and the
 * upstream it was routed to, as in {@code 127.0.0.1 GET /v2/library/nginx/manifests/latest 200
 * 1563B 42ms MISS rule=default upstream=docker.io/library/nginx}.
 */
final class AccessLog {

  private static final Logger LOG = LoggerFactory.getLogger("cache-proxy.access");

  private static final AttachmentKey<Route> ROUTE = AttachmentKey.create(Route.class);

  private AccessLog() {}

  /** Records the route of {@code exchange} for its log line, and returns it. */
  static Route routed(HttpServerExchange exchange, Route route) {
    exchange.putAttachment(ROUTE, route);
    return route;
  }

  /** Arranges for {@code exchange} to be logged when it completes. */
  static void attach(HttpServerExchange exchange) {
    if (!LOG.isInfoEnabled()) {
      return;
    }
    long start = System.nanoTime();
    exchange.addExchangeCompleteListener((done, next) -> {
      try {
        LOG.info(line(done, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)));
      } finally {
        next.proceed();
      }
    });
  }

  static String line(HttpServerExchange exchange, long millis) {
    InetSocketAddress client = exchange.getSourceAddress();
    String query = exchange.getQueryString();
    String cache = exchange.getResponseHeaders().getFirst(OciHeaders.X_CACHE);
    return (client == null
            ? "-"
            : client.getAddress() == null
                ? client.getHostString()
                : client.getAddress().getHostAddress())
        + " "
        + exchange.getRequestMethod()
        + " "
        + exchange.getRequestPath()
        + (query == null || query.isEmpty() ? "" : "?" + query)
        + " "
        + exchange.getStatusCode()
        + " "
        + exchange.getResponseBytesSent()
        + "B"
        + " "
        + millis
        + "ms"
        + " "
        + (cache == null ? "-" : cache)
        + routeText(exchange.getAttachment(ROUTE));
  }

  private static String routeText(@Nullable Route route) {
    return route == null
        ? ""
        : " rule=" + route.rule().name() + " upstream=" + route.upstreamName();
  }
}
