/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.rules.Rule;
import dev.cacheproxy.rules.RuleSet;
import dev.cacheproxy.server.logging.LogCapture;
import dev.cacheproxy.server.logging.LogFormat;
import dev.cacheproxy.server.logging.LogSetup;
import io.undertow.Undertow;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The request id, the MDC and the access line of requests served by a real {@link RegistryHandler}
 * over a {@link CacheProxy} whose upstream is a MockWebServer.
 */
class RegistryHandlerLogTest {

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final long UPSTREAM_DELAY_MS = 100;

  @TempDir Path dir;

  private final MockWebServer upstream = new MockWebServer();
  private CacheProxy proxy;
  private ExecutorService executor;
  private Undertow undertow;
  private int port;

  @BeforeEach
  void start() throws IOException {
    upstream.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            String path = request.getUrl().encodedPath();
            if (path.endsWith("/manifests/slow")) {
              return new MockResponse.Builder()
                  .code(404)
                  .headersDelay(UPSTREAM_DELAY_MS, TimeUnit.MILLISECONDS)
                  .addHeader("Content-Type", "application/json")
                  .body("{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"no\"}]}")
                  .build();
            }
            if (path.endsWith("/manifests/broken")) {
              return new MockResponse.Builder().code(500).body("boom").build();
            }
            return new MockResponse.Builder()
                .code(path.equals("/v2/") ? 200 : 404)
                .addHeader("Content-Type", "application/json")
                .body("{}")
                .build();
          }
        });
    upstream.start();
    proxy =
        CacheProxy.builder()
            .rules(
                RuleSet.of(
                    List.of(
                        Rule.of("up", "up/*", "http://127.0.0.1:" + upstream.getPort() + "/*"))))
            .dataDirectory(dir)
            .build();
    executor = Executors.newVirtualThreadPerTaskExecutor();
    undertow =
        Undertow.builder()
            .addHttpListener(0, "127.0.0.1")
            .setHandler(new RegistryHandler(proxy, executor))
            .build();
    undertow.start();
    port = ((InetSocketAddress) undertow.getListenerInfo().getFirst().getAddress()).getPort();
  }

  @AfterEach
  void stop() {
    LogSetup.apply(LogFormat.TEXT);
    undertow.stop();
    executor.shutdownNow();
    proxy.close();
    upstream.close();
  }

  private HttpResponse<Void> get(String path, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.discarding());
  }

  private static String requestId(HttpResponse<?> response) {
    return response.headers().firstValue("X-Request-Id").orElseThrow();
  }

  @Test
  void saneClientRequestId_isEchoed_andEndsTheAccessLine() throws Exception {
    try (LogCapture capture = LogCapture.attach()) {
      HttpResponse<Void> response = get("/v2/", "X-Request-Id", "client-id_1.2");

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(requestId(response)).isEqualTo("client-id_1.2");
      assertThat(capture.await(line -> line.contains(" req=client-id_1.2 "), WAIT))
          .contains("[access] 127.0.0.1 GET /v2/ 200 2B ")
          .endsWith("ms - req=client-id_1.2 upstream_ms=0" + System.lineSeparator());
    }
  }

  @Test
  void otherClientRequestId_isReplaced_andMissingOneIsMadeUp() throws Exception {
    HttpResponse<Void> forged = get("/v2/", "X-Request-Id", "x\" upstream=evil");
    HttpResponse<Void> none = get("/v2/");
    HttpResponse<Void> failed = get("/v2/UPPER/manifests/latest");

    assertThat(requestId(forged)).matches("[0-9a-f]{16}");
    assertThat(requestId(none)).matches("[0-9a-f]{16}").isNotEqualTo(requestId(forged));
    assertThat(failed.statusCode()).isEqualTo(400);
    assertThat(requestId(failed)).matches("[0-9a-f]{16}");
  }

  @Test
  void json_accessLine_hasTheRequestFields_andTheUpstreamTime() throws Exception {
    LogSetup.apply(LogFormat.JSON);
    try (LogCapture capture = LogCapture.attach()) {
      HttpResponse<Void> response = get("/v2/up/app/manifests/slow?n=1");

      assertThat(response.statusCode()).isEqualTo(404);
      String id = requestId(response);
      JsonNode access =
          JSON.readTree(
              capture.await(
                  line -> line.contains("\"cache-proxy.access\"") && line.contains(id), WAIT));
      assertThat(access.path("requestId").asText()).isEqualTo(id);
      assertThat(access.path("client").asText()).isEqualTo("127.0.0.1");
      assertThat(access.path("method").asText()).isEqualTo("GET");
      assertThat(access.path("path").asText()).isEqualTo("/v2/up/app/manifests/slow?n=1");
      assertThat(access.path("repository").asText()).isEqualTo("up/app");
      assertThat(access.path("reference").asText()).isEqualTo("slow");
      assertThat(access.path("rule").asText()).isEqualTo("up");
      assertThat(access.path("upstream").asText()).endsWith("app");
      assertThat(access.has("cache")).isFalse();
      assertThat(access.path("status").asInt()).isEqualTo(404);
      assertThat(access.path("upstreamMs").asLong()).isGreaterThanOrEqualTo(UPSTREAM_DELAY_MS);
      assertThat(access.path("durationMs").asLong())
          .isGreaterThanOrEqualTo(access.path("upstreamMs").asLong());
      assertThat(access.path("message").asText())
          .startsWith("127.0.0.1 GET /v2/up/app/manifests/slow?n=1 404 ")
          .contains(" rule=up upstream=")
          .contains(" req=" + id + " upstream_ms=");
    }
  }

  @Test
  void json_linesLoggedWhileServing_carryTheRequestId() throws Exception {
    LogSetup.apply(LogFormat.JSON);
    try (LogCapture capture = LogCapture.attach()) {
      HttpResponse<Void> response = get("/v2/up/app/manifests/broken", "X-Request-Id", "trace-42");

      assertThat(response.statusCode()).isGreaterThanOrEqualTo(500);
      JsonNode during =
          JSON.readTree(
              capture.await(
                  line ->
                      line.contains("\"" + ErrorResponder.class.getName() + "\"")
                          && line.contains("\"requestId\":\"trace-42\""),
                  WAIT));
      assertThat(during.path("level").asText()).isEqualTo("WARN");
      assertThat(during.path("message").asText()).contains("/v2/up/app/manifests/broken");
      JsonNode access =
          JSON.readTree(
              capture.await(
                  line -> line.contains("\"cache-proxy.access\"") && line.contains("trace-42"),
                  WAIT));
      assertThat(access.path("requestId").asText()).isEqualTo("trace-42");
    }
  }
}
