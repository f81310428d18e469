/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.ProxyException;
import dev.cacheproxy.core.UpstreamException;
import dev.cacheproxy.core.UpstreamTimer;
import dev.cacheproxy.core.spi.Credentials;
import dev.cacheproxy.rules.Registry;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHeaders;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes one registry call with authentication: sends it (following redirects), answers a 401
 * challenge from the registry once (token or Basic), and turns any answer other than 2xx into a
 * {@link ProxyException} through {@link UpstreamErrors}.
 *
 * <p>Protection, in this order: the registry's rate limit and bulkhead ({@link RegistryGuards}),
 * then for each of the registry's endpoints in turn its back-off ({@link RegistryBackoff}: after a
 * 429, or a 503 with {@code Retry-After}, no call until then) and its circuit breaker. An endpoint
 * that is backed off or whose circuit is open is skipped; one whose call fails with UNAVAILABLE or
 * TOOMANYREQUESTS is followed by the next endpoint, if there is one. Any other answer (2xx, 404,
 * 401, ...) ends the call. When every endpoint was skipped or failed, the last failure is thrown.
 *
 * <p>Thread-safe; the state lives in {@link Authenticator} (schemes, tokens), {@link
 * RegistryBackoff} and {@link RegistryGuards}.
 */
final class RegistryEndpointCaller {
  private static final Logger LOG = LoggerFactory.getLogger(RegistryEndpointCaller.class);

  private final RedirectingSender sender;
  private final Authenticator authenticator;
  private final UpstreamErrors errors;
  private final RegistryBackoff backoff;
  private final RegistryGuards guards;
  private final UpstreamMetrics metrics;

  RegistryEndpointCaller(
      RedirectingSender sender,
      Authenticator authenticator,
      UpstreamErrors errors,
      RegistryBackoff backoff,
      RegistryGuards guards) {
    this(sender, authenticator, errors, backoff, guards, UpstreamMetrics.none());
  }

  /** A caller that counts the endpoints it skips (back-off, open circuit) in {@code metrics}. */
  RegistryEndpointCaller(
      RedirectingSender sender,
      Authenticator authenticator,
      UpstreamErrors errors,
      RegistryBackoff backoff,
      RegistryGuards guards,
      UpstreamMetrics metrics) {
    this.sender = sender;
    this.authenticator = authenticator;
    this.errors = errors;
    this.backoff = backoff;
    this.guards = guards;
    this.metrics = metrics;
  }

  /** An open 2xx response and the bulkhead place it holds until its body is done. */
  record Opened(ClassicHttpResponse response, RegistryGuards.Permit permit) {}

  /**
   * The 2xx response to a metadata {@code request}; the caller reads its body and gives it back.
   * The bulkhead place is given back as soon as the response head has arrived.
   *
   * @throws ProxyException for every other outcome; TOOMANYREQUESTS or UNAVAILABLE without a
   *     request while the registry's back-off, circuit, bulkhead or rate limit says so
   */
  ClassicHttpResponse call(RegistryRequest request, @Nullable Credentials credentials) {
    Opened opened = open(request, credentials);
    opened.permit().release();
    return opened.response();
  }

  /**
   * The 2xx response to {@code request}, holding a place in the registry's bulkhead until the
   * caller releases {@link Opened#permit()} (after closing the body).
   */
  Opened open(RegistryRequest request, @Nullable Credentials credentials) {
    RegistryGuards.Guard guard = guards.of(request.registry());
    RegistryGuards.Permit permit = guard.enter(request.subject());
    try {
      return new Opened(callEndpoints(guard, request, credentials), permit);
    } catch (RuntimeException e) {
      permit.release();
      throw e;
    }
  }

  private ClassicHttpResponse callEndpoints(
      RegistryGuards.Guard guard, RegistryRequest request, @Nullable Credentials credentials) {
    Registry registry = request.registry();
    List<URI> endpoints = registry.endpoints();
    List<UpstreamException> failures = new ArrayList<>();
    List<URI> failed = new ArrayList<>();
    for (int i = 0; i < endpoints.size(); i++) {
      URI endpoint = endpoints.get(i);
      String label = label(registry, endpoint);
      boolean more = i + 1 < endpoints.size();
      try {
        backoff.check(label, request.subject());
      } catch (UpstreamException e) {
        metrics.refused(registry.host(), UpstreamMetrics.Refusal.BACKOFF);
        failures.add(e);
        failed.add(endpoint);
        continue;
      }
      RegistryGuards.Breaker breaker = guard.breaker(endpoint);
      if (!breaker.tryEnter()) {
        metrics.refused(registry.host(), UpstreamMetrics.Refusal.CIRCUIT);
        failures.add(breaker.refused(request.subject(), label));
        failed.add(endpoint);
        continue;
      }
      long start = System.nanoTime();
      try {
        ClassicHttpResponse response = callUpstream(request.at(endpoint), credentials);
        UpstreamTimer.record(System.nanoTime() - start);
        breaker.record(start, null);
        return response;
      } catch (UpstreamException e) {
        UpstreamTimer.record(System.nanoTime() - start);
        breaker.record(start, e);
        UpstreamException failure = backoff.record(label, e);
        boolean failOver = RegistryGuards.isFailure(e) || e.code() == OciErrorCode.TOOMANYREQUESTS;
        if (!failOver) {
          throw failure;
        }
        failures.add(failure);
        failed.add(endpoint);
        if (more) {
          LOG.warn(
              "{}: {} failed ({}); trying {}",
              request.subject(),
              label,
              e.getMessage(),
              label(registry, endpoints.get(i + 1)));
        }
      } catch (RuntimeException e) {
        UpstreamTimer.record(System.nanoTime() - start);
        breaker.record(start, e);
        throw e;
      }
    }
    throw exhausted(request, failed, failures);
  }

  /**
   * The failure of a call no endpoint answered: the only failure for a registry with one endpoint;
   * for several, the last one's code, status and retry-after with a message naming what each
   * endpoint did. It counts as not called only when no endpoint was called.
   */
  private static UpstreamException exhausted(
      RegistryRequest request, List<URI> endpoints, List<UpstreamException> failures) {
    // endpoints.get(i) gave failures.get(i)
    if (failures.isEmpty()) {
      throw new IllegalStateException("registry " + request.registry() + " has no endpoint");
    }
    UpstreamException last = failures.get(failures.size() - 1);
    if (request.registry().fallbacks().isEmpty()) {
      return last;
    }
    String prefix = request.subject() + ": ";
    List<String> reasons = new ArrayList<>();
    boolean noneCalled = true;
    for (int i = 0; i < failures.size(); i++) {
      UpstreamException f = failures.get(i);
      String message = String.valueOf(f.getMessage());
      reasons.add(
          Responses.redacted(endpoints.get(i))
              + " → "
              + (message.startsWith(prefix) ? message.substring(prefix.length()) : message));
      noneCalled &= RegistryGuards.notCalled(f);
    }
    Throwable cause = last.getCause();
    if (!noneCalled && cause instanceof NotCalled) {
      cause = null;
    }
    return new UpstreamException(
        last.code(),
        prefix
            + "none of the "
            + endpoints.size()
            + " endpoints of "
            + request.registry().host()
            + " answered: "
            + String.join("; ", reasons),
        last.upstreamStatus(),
        last.retryAfter().orElse(null),
        cause);
  }

  /**
   * How an endpoint is named in messages and keyed for back-offs: the registry host, with the
   * endpoint's address when the registry has more than one.
   */
  static String label(Registry registry, URI endpoint) {
    return registry.fallbacks().isEmpty()
        ? registry.host()
        : registry.host() + " at " + Responses.redacted(endpoint);
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
    throw errors.fromResponse(
        request, response, UpstreamErrors.secrets(authorization, credentials));
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
