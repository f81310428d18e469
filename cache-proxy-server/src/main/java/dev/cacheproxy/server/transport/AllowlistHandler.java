/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.transport;

import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.server.http.ErrorResponder;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of a listener with an {@link IpAllowlist}: passes a request on when the
 * connection's peer address is allowed, and otherwise answers {@code 403} with the OCI error code
 * {@code DENIED} and closes the connection, without any other work. {@code X-Forwarded-For} and
 * similar headers are never consulted.
 *
 * <p>Threading: runs on the IO thread; the check is a few byte comparisons and the refusal is a
 * non-blocking send.
 */
public final class AllowlistHandler implements HttpHandler {

  private static final Logger LOG = LoggerFactory.getLogger(AllowlistHandler.class);

  private final String listener;
  private final IpAllowlist allow;
  private final HttpHandler next;

  /**
   * A handler that lets the clients of {@code allow} through to {@code next}.
   *
   * @param listener the listener's name for the refusal message, such as {@code registry}
   */
  public AllowlistHandler(String listener, IpAllowlist allow, HttpHandler next) {
    this.listener = listener;
    this.allow = allow;
    this.next = next;
  }

  /**
   * {@code next} behind an allowlist check, or {@code next} itself when {@code allow} accepts
   * everyone.
   */
  public static HttpHandler wrap(String listener, IpAllowlist allow, HttpHandler next) {
    return allow.acceptsEveryone() ? next : new AllowlistHandler(listener, allow, next);
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    InetAddress address = peer(exchange);
    if (address != null && allow.allows(address)) {
      next.handleRequest(exchange);
      return;
    }
    String client = address == null ? "an unknown address" : address.getHostAddress();
    LOG.debug(
        "refused {} {} from {}: not in the {} listener's allow list",
        exchange.getRequestMethod(),
        exchange.getRequestPath(),
        client,
        listener);
    String body =
        ErrorResponder.body(
                OciErrorCode.DENIED,
                "the "
                    + listener
                    + " listener does not accept connections from "
                    + client
                    + " (not in its allow list)")
            .toString();
    exchange.setStatusCode(OciErrorCode.DENIED.httpStatus());
    exchange.setPersistent(false);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
    exchange.getResponseSender().send(body, StandardCharsets.UTF_8);
  }

  private static @Nullable InetAddress peer(HttpServerExchange exchange) {
    InetSocketAddress peer = exchange.getConnection().getPeerAddress(InetSocketAddress.class);
    return peer == null ? null : peer.getAddress();
  }
}
