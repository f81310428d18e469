/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.core.NotFoundException;
import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.ProxyException;
import dev.cacheproxy.core.UpstreamException;
import io.undertow.server.HttpHandler;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ErrorResponderTest {

  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  private TestServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private HttpResponse<String> failWith(Exception failure) throws Exception {
    HttpHandler thrower =
        exchange -> {
          throw failure;
        };
    server = TestServer.dispatching(thrower);
    return CLIENT.send(
        HttpRequest.newBuilder(server.uri("/v2/x/manifests/y")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void body_isOciJson() {
    assertThat(
            Json.bytes(
                ErrorResponder.body(OciErrorCode.MANIFEST_UNKNOWN, "manifest \"x\" unknown")))
        .asString()
        .isEqualTo(
            "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest \\\"x\\\""
                + " unknown\"}]}");
  }

  @Test
  void proxyException_isSentWithItsCodesStatus() throws Exception {
    HttpResponse<String> response =
        failWith(
            new NotFoundException(
                OciErrorCode.MANIFEST_UNKNOWN, "manifest latest of library/x is unknown"));

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(response.body())
        .isEqualTo(
            "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest latest of library/x"
                + " is unknown\"}]}");
    assertThat(response.headers().firstValue("Content-Length"))
        .hasValue(Integer.toString(response.body().length()));
  }

  @Test
  void upstreamRetryAfter_isPassedOn() throws Exception {
    HttpResponse<String> response =
        failWith(
            new UpstreamException(
                OciErrorCode.TOOMANYREQUESTS,
                "docker.io: rate limited",
                429,
                Duration.ofMillis(30_500),
                null));

    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(response.headers().firstValue("Retry-After")).hasValue("31");
    assertThat(response.body()).contains("\"code\":\"TOOMANYREQUESTS\"");
  }

  @Test
  void proxyBackOff_isA429WithTheTimeLeftAsRetryAfter() throws Exception {
    HttpResponse<String> response =
        failWith(
            new UpstreamException(
                OciErrorCode.TOOMANYREQUESTS,
                "library/nginx:1: registry-1.docker.io is rate limiting the proxy; it is not asked"
                    + " again until 2026-01-01T00:00:07Z (in 7 s)",
                0,
                Duration.ofSeconds(7),
                null));

    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(response.headers().firstValue("Retry-After")).hasValue("7");
    assertThat(response.body())
        .contains("\"code\":\"TOOMANYREQUESTS\"")
        .contains("registry-1.docker.io");
  }

  @Test
  void retryAfterUnderASecond_isOneSecond() throws Exception {
    HttpResponse<String> response =
        failWith(
            new UpstreamException(
                OciErrorCode.TOOMANYREQUESTS, "almost over", 0, Duration.ofMillis(1), null));

    assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
  }

  @Test
  void retryAfterZero_isOneSecond() throws Exception {
    HttpResponse<String> response =
        failWith(
            new UpstreamException(OciErrorCode.TOOMANYREQUESTS, "over", 429, Duration.ZERO, null));

    assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
  }

  @Test
  void tooManyRequestsWithoutTime_hasNoRetryAfter() throws Exception {
    HttpResponse<String> response =
        failWith(new UpstreamException(OciErrorCode.TOOMANYREQUESTS, "slow", 429, null, null));

    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(response.headers().firstValue("Retry-After")).isEmpty();
  }

  @Test
  void paginationNumberInvalid_is400() throws Exception {
    HttpResponse<String> response =
        failWith(new ProxyException(OciErrorCode.PAGINATION_NUMBER_INVALID, "bad n"));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body())
        .contains("\"code\":\"PAGINATION_NUMBER_INVALID\"")
        .contains("bad n");
  }

  @Test
  void unexpectedException_isA500WithoutItsDetails() throws Exception {
    HttpResponse<String> response =
        failWith(new IllegalStateException("secret internal state password=hunter2"));

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.body())
        .contains("\"code\":\"UNKNOWN\"")
        .containsPattern("request id [0-9a-f]{8}")
        .doesNotContain("hunter2")
        .doesNotContain("IllegalStateException")
        .doesNotContain("\tat ");
  }

  @Test
  void unsupported_isA405WithAllow() throws Exception {
    HttpResponse<String> response =
        failWith(new ProxyException(OciErrorCode.UNSUPPORTED, "read-only"));

    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.headers().firstValue("Allow")).hasValue("GET, HEAD");
  }
}
