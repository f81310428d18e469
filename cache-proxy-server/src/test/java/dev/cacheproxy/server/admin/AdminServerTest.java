/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.core.UpstreamResilience;
import dev.cacheproxy.core.UpstreamSettings;
import dev.cacheproxy.rules.RepositoryName;
import dev.cacheproxy.rules.Rule;
import dev.cacheproxy.rules.RuleSet;
import io.micrometer.core.instrument.Counter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin listener over a real {@link CacheProxy} on a temporary folder. */
class AdminServerTest {

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant LOADED_AT = Instant.parse("2026-01-02T03:04:05Z");

  @TempDir Path dir;

  private ProcessMetrics metrics;
  private CacheProxy proxy;
  private AdminServer admin;

  @BeforeEach
  void start() {
    metrics = ProcessMetrics.start();
    proxy =
        CacheProxy.builder()
            // nothing listens on port 9: the upstream is down
            .rules(RuleSet.of(List.of(Rule.of("up", "up/*", "http://127.0.0.1:9/*"))))
            .dataDirectory(dir.resolve("data"))
            // one failed call opens the circuit
            .upstream(
                UpstreamSettings.DEFAULTS.withResilience(
                    UpstreamResilience.DEFAULTS
                        .withRetryAttempts(1)
                        .withCircuit(50, 1, 1, Duration.ofMinutes(1)),
                    Map.of()))
            .meterRegistry(metrics.registry())
            .build();
    admin = startAdmin(dir.resolve("data"));
  }

  private AdminServer startAdmin(Path checked) {
    return AdminServer.start(
        "127.0.0.1", 0, metrics.registry(), new Readiness(proxy, checked, () -> LOADED_AT));
  }

  @AfterEach
  void stop() {
    admin.close();
    proxy.close();
    metrics.close();
  }

  private HttpResponse<String> send(
      AdminServer server, String method, String path, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .method(method, HttpRequest.BodyPublishers.noBody());
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    return send(admin, "GET", path, headers);
  }

  @Test
  void metrics_servesTheJvmMeters_andOnesRegisteredLater() throws Exception {
    Counter.builder("admin.test.events").register(metrics.registry()).increment(3);

    HttpResponse<String> response = get("/metrics");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(response.body())
        .contains("jvm_memory_used_bytes{")
        .contains("jvm_threads_live_threads")
        .contains("process_uptime_seconds")
        .contains("\nadmin_test_events_total 3.0\n")
        .doesNotContain("# EOF");
  }

  @Test
  void metrics_speaksOpenMetrics_whenAskedFor() throws Exception {
    Counter.builder("admin.test.events").register(metrics.registry()).increment();

    HttpResponse<String> response =
        get(
            "/metrics",
            "Accept",
            "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/openmetrics-text");
    assertThat(response.body()).contains("admin_test_events_total 1.0").endsWith("# EOF\n");
  }

  @Test
  void statusPage_servedAtRoot_whenGiven_andUnknownOtherwise() throws Exception {
    assertThat(get("/").statusCode()).as("no status page given").isEqualTo(404);
    try (StatusHistory history = StatusHistory.start(proxy.meterRegistry());
        AdminServer withPage =
            AdminServer.start(
                "127.0.0.1",
                0,
                metrics.registry(),
                new Readiness(proxy, dir.resolve("data"), () -> LOADED_AT),
                null,
                new StatusPage(proxy, history))) {
      for (String path : new String[] {"/", "/status"}) {
        HttpResponse<String> page = send(withPage, "GET", path);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type"))
            .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.body()).contains("<html").contains("cache-proxy");
      }
      assertThat(send(withPage, "GET", "/metrics").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void healthz_isUp() throws Exception {
    HttpResponse<String> response = get("/healthz");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(response.body()).isEqualTo("{\"status\":\"UP\"}");
  }

  @Test
  void head_answersLikeGet_withoutABody() throws Exception {
    HttpResponse<String> response = send(admin, "HEAD", "/healthz");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Length")).hasValue("15");
    assertThat(response.body()).isEmpty();
    assertThat(send(admin, "HEAD", "/metrics").statusCode()).isEqualTo(200);
  }

  @Test
  void readyz_isUp_withStorageConfigurationAndUpstreams() throws Exception {
    HttpResponse<String> response = get("/readyz");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("status").asText()).isEqualTo("UP");
    JsonNode storage = body.at("/checks/storage");
    assertThat(storage.get("status").asText()).isEqualTo("UP");
    assertThat(storage.get("usableBytes").isIntegralNumber()).isTrue();
    assertThat(storage.get("detail").asText()).contains("data").contains("is writable");
    JsonNode configuration = body.at("/checks/configuration");
    assertThat(configuration.get("status").asText()).isEqualTo("UP");
    assertThat(configuration.get("loadedAt").asText()).isEqualTo("2026-01-02T03:04:05Z");
    assertThat(body.at("/checks/upstreams").isArray()).isTrue();
    try (var files = Files.list(dir.resolve("data"))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("the write probe leaves nothing behind")
          .noneMatch(name -> name.startsWith(".readyz-"));
    }
  }

  @Test
  void readyz_staysUp_whileAnUpstreamIsDown_andReportsIt() throws Exception {
    try {
      proxy.tags(RepositoryName.of("up/app"), 10, null);
    } catch (RuntimeException expected) {
      // the upstream is down; the call is only here so that its health is recorded
    }

    HttpResponse<String> response = get("/readyz");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode upstreams = JSON.readTree(response.body()).at("/checks/upstreams");
    assertThat(upstreams).hasSize(1);
    assertThat(upstreams.get(0).get("registry").asText()).isEqualTo("127.0.0.1:9");
    assertThat(upstreams.get(0).get("available").asBoolean()).isFalse();
    JsonNode endpoint = upstreams.get(0).get("endpoints").get(0);
    assertThat(endpoint.get("url").asText()).startsWith("http://127.0.0.1:9");
    assertThat(endpoint.get("circuit").asText()).isEqualTo("OPEN");
  }

  @Test
  void readyz_isDown_whenTheDataDirectoryTakesNoFile() throws Exception {
    // Root writes through permissions, so the folder checked is a plain file instead: creating a
    // file in it fails for every user.
    Path notAFolder = Files.writeString(dir.resolve("not-a-folder"), "x");
    try (AdminServer broken = startAdmin(notAFolder)) {
      HttpResponse<String> response = send(broken, "GET", "/readyz");

      assertThat(response.statusCode()).isEqualTo(503);
      JsonNode body = JSON.readTree(response.body());
      assertThat(body.get("status").asText()).isEqualTo("DOWN");
      assertThat(body.at("/checks/storage/status").asText()).isEqualTo("DOWN");
      assertThat(body.at("/checks/storage/detail").asText())
          .startsWith("cannot write to " + notAFolder);
      assertThat(body.at("/checks/configuration/status").asText()).isEqualTo("UP");
      assertThat(send(broken, "GET", "/healthz").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void otherMethods_are405_inTheRegistryErrorFormat() throws Exception {
    HttpResponse<String> response = send(admin, "POST", "/metrics");

    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.headers().firstValue("Allow")).hasValue("GET, HEAD");
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonNode error = JSON.readTree(response.body()).get("errors").get(0);
    assertThat(error.get("code").asText()).isEqualTo("UNSUPPORTED");
    assertThat(error.get("message").asText()).isEqualTo("POST /metrics is not supported: use GET");
    assertThat(send(admin, "DELETE", "/readyz").statusCode()).isEqualTo(405);
  }

  @Test
  void unknownPaths_are404_inTheRegistryErrorFormat() throws Exception {
    HttpResponse<String> response = get("/v2/");

    assertThat(response.statusCode()).isEqualTo(404);
    JsonNode error = JSON.readTree(response.body()).get("errors").get(0);
    assertThat(error.get("code").asText()).isEqualTo("NAME_UNKNOWN");
    assertThat(error.get("message").asText())
        .isEqualTo("unknown path /v2/: the admin listener serves /metrics, /healthz and /readyz");
    assertThat(get("/metrics/extra").statusCode()).isEqualTo(404);
  }

  @Test
  void close_isIdempotent_andFreesThePort() throws Exception {
    int port = admin.port();
    admin.close();
    admin.close();

    try (AdminServer again =
        AdminServer.start(
            "127.0.0.1",
            port,
            metrics.registry(),
            new Readiness(proxy, dir.resolve("data"), () -> LOADED_AT))) {
      assertThat(send(again, "GET", "/healthz").statusCode()).isEqualTo(200);
    }
  }
}
