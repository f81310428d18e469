/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.UpstreamException;
import dev.cacheproxy.core.spi.Credentials;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.jspecify.annotations.Nullable;

/**
 * Gets a bearer token from a registry's token service, as in the Docker token authentication
 * specification: {@code GET <realm>?service=<service>&scope=<scope>}, with HTTP Basic credentials
 * when the rule has some, answered by JSON with {@code token} (or {@code access_token}) and {@code
 * expires_in}.
 *
 * <p>Thread-safe and stateless; caching is {@link Authenticator}'s job. Never logs or reports a
 * credential or token.
 */
final class TokenFetcher {

  /** Token responses are small JSON documents; JWTs run to a few KiB. */
  private static final int MAX_TOKEN_RESPONSE = 1024 * 1024;

  private final RedirectingSender sender;
  private final UpstreamErrors errors;

  TokenFetcher(RedirectingSender sender, UpstreamErrors errors) {
    this.sender = sender;
    this.errors = errors;
  }

  /**
   * Fetches a token for {@code scope}.
   *
   * @param request the registry call the token is for, named in messages
   * @throws UpstreamException DENIED if the token service refuses, UNAVAILABLE if it fails or
   *     cannot be reached, TOOMANYREQUESTS if it rate limits, UNKNOWN for a useless answer
   */
  BearerToken fetch(
      RegistryRequest request,
      URI realm,
      @Nullable String service,
      String scope,
      @Nullable Credentials credentials) {
    URI uri = tokenUri(realm, service, scope);
    String authorization = credentials == null ? null : Authenticator.basic(credentials);
    String what = request.subject() + ": token service " + Responses.redacted(realm);
    ClassicHttpResponse response =
        sender
            .send("GET", uri, List.of(), authorization, realm, request.registry().host())
            .response();
    int status = response.getCode();
    if (status != 200) {
      Duration retryAfter = errors.retryAfter(Responses.header(response, "Retry-After"));
      Responses.discard(response);
      throw failure(what, status, scope, retryAfter);
    }
    byte[] body;
    try {
      body = Responses.readAtMost(response, MAX_TOKEN_RESPONSE);
    } catch (IOException e) {
      throw UpstreamErrors.unreachable(request.registry().host(), "reading " + what, e);
    }
    if (body == null) {
      throw useless(what, "a response larger than 1 MiB");
    }
    return parse(body, what);
  }

  static URI tokenUri(URI realm, @Nullable String service, String scope) {
    StringBuilder sb = new StringBuilder(realm.toString());
    char sep = realm.getRawQuery() == null ? '?' : '&';
    if (service != null && !service.isEmpty()) {
      sb.append(sep).append("service=").append(encode(service));
      sep = '&';
    }
    sb.append(sep).append("scope=").append(encode(scope));
    return URI.create(sb.toString());
  }

  private static BearerToken parse(byte[] body, String what) {
    JsonNode json;
    try {
      json = Responses.JSON.readTree(body);
    } catch (IOException e) {
      throw useless(what, "a body that is not JSON");
    }
    String token = json.path("token").asText("");
    if (token.isBlank()) {
      token = json.path("access_token").asText("");
    }
    if (token.isBlank()) {
      throw useless(what, "JSON without a token");
    }
    long seconds = json.path("expires_in").asLong(0);
    Duration expiresIn = seconds > 0 ? Duration.ofSeconds(seconds) : BearerToken.DEFAULT_EXPIRES_IN;
    return new BearerToken(token, expiresIn);
  }

  private static UpstreamException failure(
      String what, int status, String scope, @Nullable Duration retryAfter) {
    if (status == 401 || status == 403) {
      return new UpstreamException(
          OciErrorCode.DENIED,
          what
              + " refused a token for "
              + scope
              + " (HTTP "
              + status
              + "); check the rule's credentials",
          status,
          null,
          null);
    }
    if (status == 429) {
      return new UpstreamException(
          OciErrorCode.TOOMANYREQUESTS,
          what + " is rate limiting requests",
          status,
          retryAfter,
          null);
    }
    if (status >= 500) {
      return new UpstreamException(
          OciErrorCode.UNAVAILABLE, what + " failed with HTTP " + status, status, retryAfter, null);
    }
    return new UpstreamException(
        OciErrorCode.UNKNOWN,
        what + " answered with unexpected HTTP " + status,
        status,
        null,
        null);
  }

  private static UpstreamException useless(String what, String answer) {
    return new UpstreamException(
        OciErrorCode.UNKNOWN, what + " answered " + answer, 200, null, null);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
