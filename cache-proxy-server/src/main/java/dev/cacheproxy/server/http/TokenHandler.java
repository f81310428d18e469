/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.server.auth.AccessControl;
import dev.cacheproxy.server.auth.IssuedToken;
import dev.cacheproxy.server.auth.Principal;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The token endpoint of the Docker registry token flow, {@code /_cache-proxy/token}, served in
 * token mode only:
 *
 * <ul>
 *   <li>{@code GET ?service=…&scope=repository:NAME:pull[&scope=…]&account=…} with optional Basic
 *       credentials (Docker, Podman, skopeo; no credentials means anonymous);
 *   <li>{@code POST} with a form body {@code grant_type=password&username=…&password=…&scope=…
 *       &service=…&client_id=…} (containerd's OAuth2 flow). {@code grant_type=refresh_token} and
 *       others are answered {@code 400 {"error":"unsupported_grant_type"}}: the proxy issues no
 *       refresh tokens, so clients sign in again with their credentials, which keeps revocation
 *       immediate.
 * </ul>
 *
 * <p>Both answer {@code {"token":…,"access_token":…,"expires_in":…,"issued_at":…}} with a JWT that
 * grants what the principal's scope maps allow of the requested scopes (never an error for scopes
 * it may not have; they are left out). Invalid credentials get {@code 401 UNAUTHORIZED}. Runs on a
 * dispatched virtual thread (bcrypt is slow).
 */
final class TokenHandler {

  /** The largest form body read. */
  static final int MAX_FORM_BYTES = 64 * 1024;

  private final AccessControl access;

  TokenHandler(AccessControl access) {
    this.access = access;
  }

  void handle(HttpServerExchange exchange) {
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
    if (exchange.getRequestMethod().equals(Methods.GET)) {
      get(exchange);
    } else if (exchange.getRequestMethod().equals(Methods.POST)) {
      post(exchange);
    } else {
      exchange.getResponseHeaders().put(Headers.ALLOW, "GET, POST");
      ErrorResponder.send(
          exchange,
          405,
          OciErrorCode.UNSUPPORTED,
          exchange.getRequestMethod()
              + " "
              + AccessControl.TOKEN_PATH
              + " is not supported: use GET or POST");
    }
  }

  private void get(HttpServerExchange exchange) {
    Optional<Principal> principal =
        access.signIn(exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION));
    if (principal.isEmpty()) {
      unauthorized(exchange);
      return;
    }
    Deque<String> scopes = exchange.getQueryParameters().get("scope");
    issue(exchange, principal.get(), scopes == null ? List.of() : List.copyOf(scopes));
  }

  private void post(HttpServerExchange exchange) {
    String type = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
    if (type == null
        || !type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      oauthError(exchange, "invalid_request", "the body must be application/x-www-form-urlencoded");
      return;
    }
    Map<String, Deque<String>> form;
    try {
      form = form(exchange);
    } catch (IllegalArgumentException e) {
      oauthError(exchange, "invalid_request", "the form body is malformed or too large");
      return;
    } catch (IOException e) {
      ErrorResponder.abort(exchange);
      return;
    }
    String grant = first(form, "grant_type");
    if (!"password".equals(grant)) {
      oauthError(
          exchange,
          "unsupported_grant_type",
          "only grant_type=password is supported; sign in again with your credentials");
      return;
    }
    String username = first(form, "username");
    String password = first(form, "password");
    if (username == null || password == null) {
      oauthError(exchange, "invalid_request", "grant_type=password needs username and password");
      return;
    }
    Optional<Principal> principal = access.authenticate(username, password);
    if (principal.isEmpty()) {
      unauthorized(exchange);
      return;
    }
    Deque<String> scopes = form.get("scope");
    issue(exchange, principal.get(), scopes == null ? List.of() : List.copyOf(scopes));
  }

  private void issue(HttpServerExchange exchange, Principal principal, List<String> scopes) {
    AccessLog.user(exchange, principal);
    IssuedToken token = access.issueToken(principal, scopes);
    ObjectNode body = Json.object();
    body.put("token", token.token());
    body.put("access_token", token.token());
    body.put("expires_in", token.expiresIn().toSeconds());
    body.put("issued_at", token.issuedAt().toString());
    Json.send(exchange, 200, body);
  }

  private static void unauthorized(HttpServerExchange exchange) {
    ErrorResponder.send(exchange, 401, OciErrorCode.UNAUTHORIZED, "invalid username or password");
  }

  private static void oauthError(HttpServerExchange exchange, String error, String description) {
    ObjectNode body = Json.object();
    body.put("error", error);
    body.put("error_description", description);
    Json.send(exchange, 400, body);
  }

  private static Map<String, Deque<String>> form(HttpServerExchange exchange) throws IOException {
    if (!exchange.isBlocking()) {
      exchange.startBlocking();
    }
    byte[] bytes;
    try (InputStream in = exchange.getInputStream()) {
      bytes = in.readNBytes(MAX_FORM_BYTES + 1);
    }
    if (bytes.length > MAX_FORM_BYTES) {
      throw new IllegalArgumentException("form too large");
    }
    Map<String, Deque<String>> form = new HashMap<>();
    String text = new String(bytes, StandardCharsets.UTF_8);
    for (String pair : text.split("&", -1)) {
      if (pair.isEmpty()) {
        continue;
      }
      int equals = pair.indexOf('=');
      String key = equals < 0 ? pair : pair.substring(0, equals);
      String value = equals < 0 ? "" : pair.substring(equals + 1);
      form.computeIfAbsent(decode(key), k -> new ArrayDeque<>()).add(decode(value));
    }
    return form;
  }

  private static String decode(String text) {
    return URLDecoder.decode(text, StandardCharsets.UTF_8);
  }

  private static @org.jspecify.annotations.Nullable String first(
      Map<String, Deque<String>> form, String key) {
    Deque<String> values = form.get(key);
    return values == null ? null : values.peekFirst();
  }

  /**
   * {@code <scheme>://<host>} of a request, from its scheme and {@code Host} header, for the
   * default realm ({@link AccessControl} checks it is a plain host).
   */
  static String origin(HttpServerExchange exchange) {
    return exchange.getRequestScheme() + "://" + exchange.getHostAndPort();
  }
}
