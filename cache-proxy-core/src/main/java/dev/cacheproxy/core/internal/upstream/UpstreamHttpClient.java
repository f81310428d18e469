/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import dev.cacheproxy.core.UpstreamSettings;
import java.io.IOException;
import org.apache.hc.client5.http.HttpRequestRetryStrategy;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.DefaultHttpRequestRetryStrategy;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.impl.io.HttpRequestExecutor;
import org.apache.hc.core5.http.io.HttpClientConnection;
import org.apache.hc.core5.http.io.HttpResponseInformationCallback;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * Builds the pooled HttpClient (classic API) every upstream call goes through.
 *
 * <p><b>Timeouts.</b> HttpClient 5's classic API has one socket timeout per connection (the {@code
 * SO_TIMEOUT} between two reads), no separate "time to headers" and "time between body bytes".
 * {@code ConnectionConfig.socketTimeout} (and {@code SocketConfig.soTimeout}) apply when a
 * connection is opened or leased; {@code RequestConfig.responseTimeout}, when set, replaces it for
 * each request just before the request is written, so it covers sending the request and waiting for
 * the response head — and, left alone, every read of the body too. To get both settings this class
 * installs a request executor that, once the response head has been read, sets the connection's
 * socket timeout to {@link UpstreamSettings#idleTimeout()}. The body then streams with the idle
 * timeout between bytes and no limit on its total time; the next request on the pooled connection
 * gets the response timeout again. TCP connect and the TLS handshake use {@link
 * UpstreamSettings#connectTimeout()}; waiting for a free pooled connection is bounded by the
 * response timeout.
 *
 * <p><b>What HttpClient must not do itself.</b> Redirects (so {@code Authorization} is never sent
 * to another host), authentication and auth caching (the token flow is ours), retries of responses
 * (a 429 or 503 goes to the caller with its {@code Retry-After}), content decoding (blobs must
 * arrive byte for byte) and cookies are all off. Requests that failed with an I/O error before any
 * response arrived (a stale pooled connection) are retried once, as the default strategy does;
 * nothing is retried once a response head has arrived.
 *
 * <p>Idle pooled connections are evicted after {@value #EVICT_IDLE_SECONDS} s and connections are
 * validated after {@value #VALIDATE_AFTER_INACTIVITY_SECONDS} s of inactivity.
 */
final class UpstreamHttpClient {

  static final long EVICT_IDLE_SECONDS = 30;
  static final long VALIDATE_AFTER_INACTIVITY_SECONDS = 2;
  static final long TIME_TO_LIVE_MINUTES = 5;

  private UpstreamHttpClient() {}

  /** A new client; closing it closes its pool and its eviction thread. */
  static CloseableHttpClient create(UpstreamSettings settings) {
    Timeout connect = Timeout.of(settings.connectTimeout());
    Timeout response = Timeout.of(settings.responseTimeout());
    PoolingHttpClientConnectionManager pool =
        PoolingHttpClientConnectionManagerBuilder.create()
            .setMaxConnPerRoute(settings.maxConnectionsPerRegistry())
            .setMaxConnTotal(settings.maxConnectionsTotal())
            .setDefaultSocketConfig(SocketConfig.custom().setSoTimeout(response).build())
            .setDefaultConnectionConfig(
                ConnectionConfig.custom()
                    .setConnectTimeout(connect)
                    .setSocketTimeout(response)
                    .setValidateAfterInactivity(
                        TimeValue.ofSeconds(VALIDATE_AFTER_INACTIVITY_SECONDS))
                    .setTimeToLive(TimeValue.ofMinutes(TIME_TO_LIVE_MINUTES))
                    .build())
            .setDefaultTlsConfig(TlsConfig.custom().setHandshakeTimeout(connect).build())
            .build();
    RequestConfig requests =
        RequestConfig.custom()
            .setResponseTimeout(response)
            .setConnectionRequestTimeout(response)
            .setRedirectsEnabled(false)
            .setAuthenticationEnabled(false)
            .setContentCompressionEnabled(false)
            .build();
    return HttpClients.custom()
        .setConnectionManager(pool)
        .setDefaultRequestConfig(requests)
        .setRequestExecutor(new IdleTimeoutRequestExecutor(Timeout.of(settings.idleTimeout())))
        .setRetryStrategy(new IoErrorsOnlyRetryStrategy())
        .setUserAgent(settings.userAgent())
        .disableRedirectHandling()
        .disableAuthCaching()
        .disableContentCompression()
        .disableCookieManagement()
        .evictExpiredConnections()
        .evictIdleConnections(TimeValue.ofSeconds(EVICT_IDLE_SECONDS))
        .build();
  }

  /** Switches the socket timeout to the idle timeout once the response head has arrived. */
  static final class IdleTimeoutRequestExecutor extends HttpRequestExecutor {
    private final Timeout idleTimeout;

    IdleTimeoutRequestExecutor(Timeout idleTimeout) {
      this.idleTimeout = idleTimeout;
    }

    @Override
    public ClassicHttpResponse execute(
        ClassicHttpRequest request,
        HttpClientConnection conn,
        HttpResponseInformationCallback informationCallback,
        HttpContext context)
        throws IOException, HttpException {
      ClassicHttpResponse response = super.execute(request, conn, informationCallback, context);
      conn.setSocketTimeout(idleTimeout);
      return response;
    }
  }

  /**
   * Retries an I/O failure before any response (once, idempotent requests only), never a response.
   */
  static final class IoErrorsOnlyRetryStrategy implements HttpRequestRetryStrategy {
    private final DefaultHttpRequestRetryStrategy ioRetries =
        new DefaultHttpRequestRetryStrategy(1, TimeValue.ZERO_MILLISECONDS);

    @Override
    public boolean retryRequest(
        HttpRequest request, IOException exception, int execCount, HttpContext context) {
      return ioRetries.retryRequest(request, exception, execCount, context);
    }

    @Override
    public boolean retryRequest(HttpResponse response, int execCount, HttpContext context) {
      return false;
    }

    @Override
    public TimeValue getRetryInterval(HttpResponse response, int execCount, HttpContext context) {
      return TimeValue.ZERO_MILLISECONDS;
    }
  }
}
