/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.cacheproxy.core.UpstreamTimer;
import dev.cacheproxy.rules.Route;
import dev.cacheproxy.server.auth.Principal;
import dev.cacheproxy.server.logging.RequestId;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Logs one line per request on the logger {@code cache-proxy.access}: client, method, path with
 * query, status, bytes sent, duration, {@code X-Cache}, for a routed request the rule and the
 * upstream it was routed to, then the request id and the time spent waiting for upstreams, as in
 * {@code 127.0.0.1 GET /v2/library/nginx/manifests/latest 200 1563B 42ms MISS rule=default
 * upstream=docker.io/library/nginx req=3f9a1c0d2b7e4a65 upstream_ms=37}. The same event carries
 * every field as a structured argument (see {@link Entry#fields()}), which the JSON log format
 * writes as top-level keys.
 *
 * <p>Threading: the id is assigned on the IO thread before the request is dispatched; the route,
 * endpoint and upstream timer are attached by the dispatched thread; the line is written by
 * whichever thread completes the exchange.
 */
final class AccessLog {

  private static final Logger LOG = LoggerFactory.getLogger("cache-proxy.access");

  private static final AttachmentKey<String> REQUEST_ID = AttachmentKey.create(String.class);
  private static final AttachmentKey<Route> ROUTE = AttachmentKey.create(Route.class);
  private static final AttachmentKey<Endpoint> ENDPOINT = AttachmentKey.create(Endpoint.class);
  private static final AttachmentKey<UpstreamTimer> UPSTREAM =
      AttachmentKey.create(UpstreamTimer.class);
  private static final AttachmentKey<String> USER = AttachmentKey.create(String.class);

  private AccessLog() {}

  /**
   * Gives {@code exchange} its request id (the client's {@code X-Request-Id} if sane, else a new
   * one), sends it back in {@code X-Request-Id}, arranges for the exchange to be logged when it
   * completes, and returns the id.
   */
  static String attach(HttpServerExchange exchange) {
    String id =
        RequestId.acceptOrGenerate(exchange.getRequestHeaders().getFirst(OciHeaders.X_REQUEST_ID));
    exchange.putAttachment(REQUEST_ID, id);
    exchange.getResponseHeaders().put(OciHeaders.X_REQUEST_ID, id);
    if (LOG.isInfoEnabled()) {
      long start = System.nanoTime();
      exchange.addExchangeCompleteListener((done, next) -> {
        try {
          log(entry(done, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)));
        } finally {
          next.proceed();
        }
      });
    }
    return id;
  }

  /** The request id {@link #attach} gave {@code exchange}, if any. */
  static Optional<String> requestId(HttpServerExchange exchange) {
    return Optional.ofNullable(exchange.getAttachment(REQUEST_ID));
  }

  /** Records what {@code exchange} asks for, for the repository and reference of its line. */
  static void endpoint(HttpServerExchange exchange, Endpoint endpoint) {
    exchange.putAttachment(ENDPOINT, endpoint);
  }

  /** Records the route of {@code exchange} for its log line, and returns it. */
  static Route routed(HttpServerExchange exchange, Route route) {
    exchange.putAttachment(ROUTE, route);
    return route;
  }

  /** Records who made the request, for the {@code user=} of its line; anonymous is left out. */
  static void user(HttpServerExchange exchange, Principal principal) {
    if (!principal.isAnonymous()) {
      exchange.putAttachment(USER, principal.name());
    }
  }

  /**
   * Records the timer counting the upstream time of {@code exchange}; its count when the exchange
   * completes goes into the line.
   */
  static void timed(HttpServerExchange exchange, UpstreamTimer timer) {
    exchange.putAttachment(UPSTREAM, timer);
  }

  /**
   * Writes {@code entry}. The request id is a field of the event, so it is taken out of the MDC for
   * the call (the exchange may complete on the thread serving it) lest it appear twice.
   */
  static void log(Entry entry) {
    String inMdc = MDC.get(RequestId.MDC_KEY);
    if (inMdc != null) {
      MDC.remove(RequestId.MDC_KEY);
    }
    try {
      LOG.info("{}", entry.fields().toArray());
    } finally {
      if (inMdc != null) {
        MDC.put(RequestId.MDC_KEY, inMdc);
      }
    }
  }

  /** The access log entry of a completed {@code exchange} that took {@code millis}. */
  static Entry entry(HttpServerExchange exchange, long millis) {
    InetSocketAddress client = exchange.getSourceAddress();
    String query = exchange.getQueryString();
    Route route = exchange.getAttachment(ROUTE);
    Endpoint endpoint = exchange.getAttachment(ENDPOINT);
    UpstreamTimer timer = exchange.getAttachment(UPSTREAM);
    String repository = null;
    String reference = null;
    switch (endpoint) {
      case Endpoint.Manifest m -> {
        repository = m.name().toString();
        reference = m.reference().toString();
      }
      case Endpoint.Blob b -> {
        repository = b.name().toString();
        reference = b.digest().toString();
      }
      case Endpoint.Tags t -> repository = t.name().toString();
      case null, default -> {}
    }
    String id = exchange.getAttachment(REQUEST_ID);
    return new Entry(
        id == null ? "-" : id,
        client == null
            ? "-"
            : client.getAddress() == null
                ? client.getHostString()
                : client.getAddress().getHostAddress(),
        exchange.getRequestMethod().toString(),
        exchange.getRequestPath() + (query == null || query.isEmpty() ? "" : "?" + query),
        repository,
        reference,
        route == null ? null : route.rule().name(),
        route == null ? null : route.upstreamName(),
        exchange.getResponseHeaders().getFirst(OciHeaders.X_CACHE),
        exchange.getStatusCode(),
        exchange.getResponseBytesSent(),
        millis,
        timer == null ? 0 : TimeUnit.NANOSECONDS.toMillis(timer.nanos()),
        exchange.getAttachment(USER));
  }

  /**
   * One request as logged.
   *
   * @param requestId the request id, {@code -} if none was assigned
   * @param client the client's address
   * @param method the HTTP method
   * @param path the request path and query as the client sent them
   * @param repository the repository asked for, or null if none (a ping, the catalog)
   * @param reference the tag or digest asked for, or null if none (a tag list)
   * @param rule the rule that routed the request, or null if none did
   * @param upstream where the rule sent it ({@code <registry>/<repository>}), or null
   * @param cache the {@code X-Cache} answer, or null if none
   * @param status the response status
   * @param bytes the response bytes sent
   * @param durationMs the time from the request to the end of the response
   * @param upstreamMs the part of it spent waiting for upstream responses
   * @param user the signed-in user or token that made the request, or null for anonymous
   */
  record Entry(
      String requestId,
      String client,
      String method,
      String path,
      @Nullable String repository,
      @Nullable String reference,
      @Nullable String rule,
      @Nullable String upstream,
      @Nullable String cache,
      int status,
      long bytes,
      long durationMs,
      long upstreamMs,
      @Nullable String user) {

    /**
     * The text line: {@code <client> <method> <path> <status> <bytes>B <ms>ms <X-Cache or ->}, then
     * {@code rule=… upstream=…} for a routed request, then {@code req=<id> upstream_ms=<ms>}, then
     * {@code user=<name>} when a user or token signed in. Fields are only ever added at the end,
     * since tools parse the start.
     */
    String text() {
      return client
          + " "
          + method
          + " "
          + path
          + " "
          + status
          + " "
          + bytes
          + "B "
          + durationMs
          + "ms "
          + (cache == null ? "-" : cache)
          + (rule == null ? "" : " rule=" + rule)
          + (upstream == null ? "" : " upstream=" + upstream)
          + " req="
          + requestId
          + " upstream_ms="
          + upstreamMs
          + (user == null ? "" : " user=" + user);
    }

    /**
     * The logging arguments: the {@link #text()} for the message's one placeholder, then every
     * field as a structured key-value, absent ones left out.
     */
    List<Object> fields() {
      List<Object> fields = new ArrayList<>(14);
      fields.add(text());
      fields.add(kv("requestId", requestId));
      fields.add(kv("client", client));
      fields.add(kv("method", method));
      fields.add(kv("path", path));
      if (repository != null) {
        fields.add(kv("repository", repository));
      }
      if (reference != null) {
        fields.add(kv("reference", reference));
      }
      if (rule != null) {
        fields.add(kv("rule", rule));
      }
      if (upstream != null) {
        fields.add(kv("upstream", upstream));
      }
      if (cache != null) {
        fields.add(kv("cache", cache));
      }
      fields.add(kv("status", status));
      fields.add(kv("bytes", bytes));
      fields.add(kv("durationMs", durationMs));
      fields.add(kv("upstreamMs", upstreamMs));
      if (user != null) {
        fields.add(kv("user", user));
      }
      return fields;
    }
  }
}
