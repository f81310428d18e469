/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.ProxyException;
import dev.cacheproxy.core.UpstreamException;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;

/**
 * The one place that answers with an error: {@code {"errors":[{"code":…,"message":…}]}}, {@code
 * Content-Type: application/json} and the code's HTTP status. A {@link ProxyException}'s message
 * goes to the client (it names the repository and digest, never a credential); any other exception
 * becomes {@code 500 UNKNOWN} with a generic message and a request id, its stack trace only in the
 * log.
 *
 * <p>An {@link UpstreamException} with a retry-after (an upstream's 429 or 503, or the proxy's own
 * back-off from a registry that is rate limiting it) adds {@code Retry-After} in whole seconds.
 */
public final class ErrorResponder {

  private static final Logger LOG = LoggerFactory.getLogger(ErrorResponder.class);

  private ErrorResponder() {}

  /** Answers {@code exchange} with the error {@code failure} stands for. */
  static void send(HttpServerExchange exchange, Throwable failure) {
    if (failure instanceof ProxyException e) {
      int status = e.code().httpStatus();
      String message = e.getMessage() == null ? e.code().description() : e.getMessage();
      if (status >= 500) {
        Throwable cause = e instanceof UpstreamException ? null : e.getCause();
        LOG.warn(
            "{} {}: {} {}",
            exchange.getRequestMethod(),
            exchange.getRequestPath(),
            e.code(),
            message,
            cause);
      }
      if (e instanceof UpstreamException upstream) {
        Optional<Duration> retryAfter = upstream.retryAfter();
        retryAfter.ifPresent(
            d -> exchange.getResponseHeaders().put(Headers.RETRY_AFTER, Long.toString(seconds(d))));
      }
      send(exchange, status, e.code(), message);
      return;
    }
    String requestId = AccessLog.requestId(exchange).orElseGet(ErrorResponder::requestId);
    LOG.error(
        "request {} failed: {} {}",
        requestId,
        exchange.getRequestMethod(),
        exchange.getRequestPath(),
        failure);
    send(
        exchange,
        OciErrorCode.UNKNOWN.httpStatus(),
        OciErrorCode.UNKNOWN,
        "internal error (request id " + requestId + "); the proxy's log has the details");
  }

  /** Answers {@code exchange} with one error of {@code code}, sent with {@code status}. */
  static void send(HttpServerExchange exchange, int status, OciErrorCode code, String message) {
    if (exchange.isResponseStarted()) {
      LOG.debug("cannot send {} after the response started; closing the connection", code);
      abort(exchange);
      return;
    }
    if (status == 405) {
      exchange.getResponseHeaders().put(Headers.ALLOW, "GET, HEAD");
    }
    exchange.getResponseHeaders().remove(OciHeaders.CONTENT_DIGEST);
    exchange.getResponseHeaders().remove(Headers.ETAG);
    exchange.getResponseHeaders().remove(Headers.ACCEPT_RANGES);
    if (status != 416) {
      exchange.getResponseHeaders().remove(Headers.CONTENT_RANGE);
    }
    Json.send(exchange, status, body(code, message));
  }

  /**
   * The JSON body of an error response, {@code {"errors":[{"code":…,"message":…}]}}; the admin
   * listener answers its errors with it too.
   */
  public static ObjectNode body(OciErrorCode code, String message) {
    ObjectNode body = Json.object();
    body.putArray("errors").addObject().put("code", code.name()).put("message", message);
    return body;
  }

  /**
   * Ends the response abruptly by closing the connection, so the client sees a truncated transfer
   * (fewer bytes than {@code Content-Length}, or no last chunk) and retries.
   */
  static void abort(HttpServerExchange exchange) {
    IoUtils.safeClose(exchange.getConnection());
  }

  /** Whole seconds for {@code Retry-After}: rounded up, and at least 1 so clients do wait. */
  private static long seconds(Duration d) {
    long ms = Math.max(0, d.toMillis());
    return Math.max(1, (ms + 999) / 1000);
  }

  /** A short random id that ties a 500 answer to its log entry. */
  private static String requestId() {
    return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
  }
}
