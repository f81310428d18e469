/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import dev.cacheproxy.core.ProxyException;
import dev.cacheproxy.core.UpstreamException;
import dev.cacheproxy.core.spi.Credentials;
import java.util.ArrayList;
import java.util.List;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHeaders;
import org.jspecify.annotations.Nullable;

/**
 * Makes one registry call with authentication: sends it (following redirects), answers a 401
 * challenge from the registry once (token or Basic), and turns any answer other than 2xx into a
 * {@link ProxyException} through {@link UpstreamErrors}. A registry that answered 429 (or 503 with
 * {@code Retry-After}), to the call or to its token request, is not called again until its {@link
 * RegistryBackoff} is over: calls fail at once with TOOMANYREQUESTS.
 *
 * <p>Thread-safe; the state lives in {@link Authenticator} (schemes, tokens) and {@link
 * RegistryBackoff}.
 */
final class RegistryEndpointCaller {

  private final RedirectingSender sender;
  private final Authenticator authenticator;
  private final UpstreamErrors errors;
  private final RegistryBackoff backoff;

  RegistryEndpointCaller(
      RedirectingSender sender,
      Authenticator authenticator,
      UpstreamErrors errors,
      RegistryBackoff backoff) {
    this.sender = sender;
    this.authenticator = authenticator;
    this.errors = errors;
    this.backoff = backoff;
  }

  /**
   * The 2xx response to {@code request}; the caller reads its body and gives it back.
   *
   * @throws ProxyException for every other outcome; TOOMANYREQUESTS without a request while the
   *     registry's back-off lasts
   */
  ClassicHttpResponse call(RegistryRequest request, @Nullable Credentials credentials) {
    String host = request.registry().host();
    backoff.check(host, request.subject());
    try {
      return callUpstream(request, credentials);
    } catch (UpstreamException e) {
      throw backoff.record(host, e);
    }
  }

  private ClassicHttpResponse callUpstream(
      RegistryRequest request, @Nullable Credentials credentials) {
    String authorization = authenticator.upFront(request, credentials);
    RedirectingSender.Answer answer = send(request, authorization);
    if (answer.response().getCode() == 401
        && Responses.origin(answer.uri()).equals(Responses.origin(request.registry().endpoint()))) {
      List<AuthChallenge> challenges = AuthChallenge.parse(challengeHeaders(answer.response()));
      Responses.discard(answer.response());
      authorization = authenticator.afterChallenge(request, challenges, credentials, authorization);
      answer = send(request, authorization);
    }
    ClassicHttpResponse response = answer.response();
    int status = response.getCode();
    if (status >= 200 && status < 300) {
      return response;
    }
    throw errors.fromResponse(request, response);
  }

  private RedirectingSender.Answer send(RegistryRequest request, @Nullable String authorization) {
    return sender.send(
        request.method(),
        request.uri(),
        request.headers(),
        authorization,
        request.registry().endpoint(),
        request.registry().host());
  }

  private static List<String> challengeHeaders(ClassicHttpResponse response) {
    List<String> values = new ArrayList<>();
    for (Header h : response.getHeaders(HttpHeaders.WWW_AUTHENTICATE)) {
      if (h.getValue() != null) {
        values.add(h.getValue());
      }
    }
    return values;
  }
}
