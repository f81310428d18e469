/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.UpstreamException;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpHost;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one request and follows its redirects (301, 302, 303, 307, 308; at most {@value
 * #MAX_REDIRECTS} hops, relative locations resolved), sending {@code Authorization} only to the
 * origin (scheme, host and port) it was meant for. Blob redirects lead to object storage or a CDN
 * with signed URLs, which must never see a registry credential or token.
 *
 * <p>Every request sent, token requests included, is timed until its response head in {@code
 * cacheproxy.upstream.requests} under the registry's host, with its method and status ({@value
 * UpstreamMetrics#NO_RESPONSE} when no answer arrived); each hop of a redirect counts as a call of
 * its own, with its 3xx status, even when it leads to another host (object storage, a CDN).
 *
 * <p>Thread-safe and stateless; logs never show a query string (signed URLs) or a credential.
 */
final class RedirectingSender {
  private static final Logger LOG = LoggerFactory.getLogger(RedirectingSender.class);

  static final int MAX_REDIRECTS = 5;

  private final CloseableHttpClient client;
  private final UpstreamMetrics metrics;

  RedirectingSender(CloseableHttpClient client) {
    this(client, UpstreamMetrics.none());
  }

  /** A sender that times each call it makes (each hop of a redirect is one call). */
  RedirectingSender(CloseableHttpClient client, UpstreamMetrics metrics) {
    this.client = client;
    this.metrics = metrics;
  }

  /**
   * The final answer, not a redirect, and the URL it came from; the caller owns the response.
   *
   * @param trustedOrigin the origin that may receive {@code authorization}
   * @param registryHost the registry named in messages
   * @throws UpstreamException UNAVAILABLE when no answer arrived, UNKNOWN for a broken redirect
   */
  Answer send(
      String method,
      URI uri,
      List<Map.Entry<String, String>> headers,
      @Nullable String authorization,
      URI trustedOrigin,
      String registryHost) {
    String trusted = Responses.origin(trustedOrigin);
    URI current = uri;
    for (int hop = 0; ; hop++) {
      HttpUriRequestBase request = new HttpUriRequestBase(method, current);
      for (Map.Entry<String, String> h : headers) {
        request.addHeader(h.getKey(), h.getValue());
      }
      boolean authorized = authorization != null && trusted.equals(Responses.origin(current));
      if (authorized) {
        request.setHeader(HttpHeaders.AUTHORIZATION, authorization);
      }
      ClassicHttpResponse response;
      long start = System.nanoTime();
      try {
        response =
            client.executeOpen(HttpHost.create(current), request, HttpClientContext.create());
      } catch (IOException e) {
        metrics.called(
            registryHost, method, UpstreamMetrics.NO_RESPONSE, System.nanoTime() - start);
        throw UpstreamErrors.unreachable(
            registryHost, method + " " + Responses.redacted(current), e);
      } catch (IllegalArgumentException e) {
        throw new UpstreamException(
            OciErrorCode.UNKNOWN,
            registryHost
                + ": cannot request "
                + Responses.redacted(current)
                + ": "
                + e.getMessage(),
            0,
            null,
            e);
      }
      int status = response.getCode();
      metrics.called(registryHost, method, Integer.toString(status), System.nanoTime() - start);
      LOG.debug(
          "{} {} -> {}{}",
          method,
          Responses.redacted(current),
          status,
          authorized ? " (authorized)" : "");
      if (!isRedirect(status)) {
        return new Answer(response, current);
      }
      String location = Responses.header(response, HttpHeaders.LOCATION);
      Responses.discard(response);
      if (location == null) {
        throw new UpstreamException(
            OciErrorCode.UNKNOWN,
            registryHost + " answered HTTP " + status + " without a Location header",
            status,
            null,
            null);
      }
      if (hop >= MAX_REDIRECTS) {
        throw new UpstreamException(
            OciErrorCode.UNKNOWN,
            registryHost
                + ": more than "
                + MAX_REDIRECTS
                + " redirects for "
                + Responses.redacted(uri),
            status,
            null,
            null);
      }
      current = resolve(current, location, status, registryHost);
    }
  }

  private static URI resolve(URI base, String location, int status, String registryHost) {
    try {
      URI next = base.resolve(new URI(location.replace(" ", "%20")));
      if ((!"http".equalsIgnoreCase(next.getScheme())
              && !"https".equalsIgnoreCase(next.getScheme()))
          || next.getHost() == null) {
        throw new IllegalArgumentException("not an http(s) URL");
      }
      return next;
    } catch (java.net.URISyntaxException | IllegalArgumentException e) {
      throw new UpstreamException(
          OciErrorCode.UNKNOWN,
          registryHost + " redirected (HTTP " + status + ") to an invalid location",
          status,
          null,
          e);
    }
  }

  private static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  /** A final response and the URL that produced it. */
  record Answer(ClassicHttpResponse response, URI uri) {}
}
