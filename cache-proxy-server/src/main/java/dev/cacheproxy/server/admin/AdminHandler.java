/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.server.auth.AccessControl;
import dev.cacheproxy.server.auth.AuthMode;
import dev.cacheproxy.server.auth.Resource;
import dev.cacheproxy.server.auth.Verdict;
import dev.cacheproxy.server.http.ErrorResponder;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes the admin listener's requests: {@code /metrics}, {@code /healthz} and {@code /readyz},
 * {@code GET} and {@code HEAD} only, and everything under {@code /admin/} to the {@link AdminApi}
 * (which allows {@code POST} where it takes a body), when there is one. Errors have the registry
 * API's shape, {@code {"errors":[{"code":…,"message":…}]}}: an unknown path is {@code 404
 * NAME_UNKNOWN}, another method {@code 405 UNSUPPORTED} with {@code Allow: GET, HEAD}. Every
 * request runs on the admin listener's worker pool, never on its IO thread.
 *
 * <p>Access: unless {@code auth.mode} is anonymous, everything but {@code /healthz}, {@code
 * /readyz} and (without {@code auth.protectMetrics}) {@code /metrics} needs the Basic credentials
 * of a user or token named in {@code auth.admins}: {@code 401} with a Basic challenge without them,
 * {@code 403 DENIED} for anyone else.
 */
final class AdminHandler implements HttpHandler {

  private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);

  /** The Prometheus text format, the default answer of {@code /metrics}. */
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  /** The OpenMetrics text format, sent when the {@code Accept} header asks for it. */
  static final String OPENMETRICS_TEXT =
      "application/openmetrics-text; version=1.0.0; charset=utf-8";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final PrometheusMeterRegistry registry;
  private final Readiness readiness;
  private final @Nullable AdminApi api;
  private final @Nullable StatusPage statusPage;
  private final AccessControl access;

  /** A handler open to everyone ({@code auth.mode: anonymous}). */
  AdminHandler(
      PrometheusMeterRegistry registry,
      Readiness readiness,
      @Nullable AdminApi api,
      @Nullable StatusPage statusPage) {
    this(registry, readiness, api, statusPage, AccessControl.anonymous());
  }

  /** A handler that lets only admins in, as {@code access} decides. */
  AdminHandler(
      PrometheusMeterRegistry registry,
      Readiness readiness,
      @Nullable AdminApi api,
      @Nullable StatusPage statusPage,
      AccessControl access) {
    this.access = access;
    this.registry = registry;
    this.readiness = readiness;
    this.api = api;
    this.statusPage = statusPage;
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) {
    if (exchange.isInIoThread()) {
      exchange.dispatch(this);
      return;
    }
    try {
      route(exchange);
    } catch (RuntimeException e) {
      String requestId = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
      LOG.error(
          "admin request {} failed: {} {}",
          requestId,
          exchange.getRequestMethod(),
          exchange.getRequestPath(),
          e);
      error(
          exchange,
          OciErrorCode.UNKNOWN,
          "internal error (request id " + requestId + "); the proxy's log has the details");
    }
  }

  private void route(HttpServerExchange exchange) {
    String path = exchange.getRequestPath();
    if (!isOpen(path) && !admitted(exchange)) {
      return;
    }
    AdminApi adminApi = api;
    if (adminApi != null && path.startsWith(AdminApi.PREFIX)) {
      adminApi.handle(exchange);
      return;
    }
    boolean page = statusPage != null && (path.equals("/") || path.equals("/status"));
    if (!page && !path.equals("/metrics") && !path.equals("/healthz") && !path.equals("/readyz")) {
      error(
          exchange,
          OciErrorCode.NAME_UNKNOWN,
          "unknown path "
              + shorten(path)
              + ": the admin listener serves /metrics, /healthz and /readyz"
              + (statusPage == null ? "" : ", the status page at /")
              + (adminApi == null ? "" : ", and the admin API under /admin/"));
      return;
    }
    if (!exchange.getRequestMethod().equals(Methods.GET)
        && !exchange.getRequestMethod().equals(Methods.HEAD)) {
      exchange.getResponseHeaders().put(Headers.ALLOW, "GET, HEAD");
      error(
          exchange,
          OciErrorCode.UNSUPPORTED,
          exchange.getRequestMethod() + " " + path + " is not supported: use GET");
      return;
    }
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
    StatusPage status = statusPage;
    if (page && status != null) {
      status.handle(exchange);
      return;
    }
    switch (path) {
      case "/metrics" -> metrics(exchange);
      case "/healthz" -> send(exchange, 200, MAPPER.createObjectNode().put("status", "UP"));
      default -> {
        Readiness.Report report = readiness.check();
        send(exchange, report.ready() ? 200 : 503, report.body());
      }
    }
  }

  private boolean isOpen(String path) {
    return access.mode() == AuthMode.ANONYMOUS
        || path.equals("/healthz")
        || path.equals("/readyz")
        || (path.equals("/metrics") && !access.protectsMetrics());
  }

  /** Whether the request comes from an admin; if not, answers it with 401 or 403. */
  private boolean admitted(HttpServerExchange exchange) {
    Verdict verdict =
        access.check(
            exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION),
            new Resource.Admin(),
            exchange.getRequestScheme() + "://" + exchange.getHostAndPort());
    if (verdict instanceof Verdict.Refused refused) {
      String challenge = refused.challenge();
      if (challenge != null) {
        exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, challenge);
      }
      error(exchange, refused.code(), refused.message());
      return false;
    }
    return true;
  }

  /** Scrapes the registry in the format the {@code Accept} header asks for. */
  private void metrics(HttpServerExchange exchange) {
    String accept = exchange.getRequestHeaders().getFirst(Headers.ACCEPT);
    String contentType =
        accept != null && accept.toLowerCase(Locale.ROOT).contains("application/openmetrics-text")
            ? OPENMETRICS_TEXT
            : PROMETHEUS_TEXT;
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try {
      registry.scrape(out, contentType);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot scrape the metrics", e);
    }
    send(exchange, 200, contentType, out.toByteArray());
  }

  private static void error(HttpServerExchange exchange, OciErrorCode code, String message) {
    error(exchange, code.httpStatus(), code, message);
  }

  /** Answers with one error of {@code code}, sent with {@code status}. */
  static void error(HttpServerExchange exchange, int status, OciErrorCode code, String message) {
    if (exchange.isResponseStarted()) {
      exchange.endExchange();
      return;
    }
    send(exchange, status, ErrorResponder.body(code, message));
  }

  private static void send(HttpServerExchange exchange, int status, JsonNode body) {
    byte[] bytes;
    try {
      bytes = MAPPER.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot write JSON", e);
    }
    send(exchange, status, "application/json", bytes);
  }

  /** Sends {@code body} as the whole response. */
  static void send(HttpServerExchange exchange, int status, String type, byte[] body) {
    exchange.setStatusCode(status);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, type);
    exchange.setResponseContentLength(body.length);
    exchange.getResponseSender().send(ByteBuffer.wrap(body));
  }

  /** A path for a message, cut short so a long request line does not fill the log. */
  static String shorten(String path) {
    return path.length() > 100 ? path.substring(0, 100) + "…" : path;
  }
}
