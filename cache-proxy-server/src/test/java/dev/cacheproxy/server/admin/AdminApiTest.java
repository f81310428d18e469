/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.Tag;
import dev.cacheproxy.rules.RepositoryName;
import dev.cacheproxy.server.config.ConfigReloader;
import dev.cacheproxy.server.config.ProxyConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API over a real {@link CacheProxy} on a temporary folder, with a MockWebServer upstream
 * serving one image ({@code up/app:1.0}: a config and two layers) and a started {@link
 * AdminServer}. Warm jobs run on threads the test records, so it can join them instead of polling.
 */
class AdminApiTest {

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private final MockWebServer upstream = new MockWebServer();
  private final Map<String, byte[]> content = new ConcurrentHashMap<>();
  private final List<Thread> warmThreads = new CopyOnWriteArrayList<>();
  private final ThreadFactory threads =
      task -> {
        Thread thread = Thread.ofVirtual().unstarted(task);
        warmThreads.add(thread);
        return thread;
      };

  private Path configFile;
  private ProxyConfig settings;
  private ProcessMetrics metrics;
  private CacheProxy proxy;
  private @Nullable ConfigReloader reloader;
  private AdminServer admin;
  private byte[] layer1;
  private byte[] layer2;
  private byte[] config;
  private Digest manifestDigest;

  @BeforeEach
  void start() throws IOException {
    upstream.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            return answer(request);
          }
        });
    upstream.start(InetAddress.getByName("127.0.0.1"), 0);
    config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
    layer1 = bytes(3000, 1);
    layer2 = bytes(5000, 2);
    manifestDigest =
        serveManifest(
            "app",
            "1.0",
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":"
                + descriptor("application/vnd.oci.image.config.v1+json", serveBlob("app", config))
                + ",\"layers\":["
                + descriptor("application/vnd.oci.image.layer.v1.tar", serveBlob("app", layer1))
                + ","
                + descriptor("application/vnd.oci.image.layer.v1.tar", serveBlob("app", layer2))
                + "]}");
    configFile = dir.resolve("config.yaml");
    Files.writeString(configFile, yaml("up"));
    settings = ProxyConfig.parse(configFile, Files.readString(configFile));
    metrics = ProcessMetrics.start();
    proxy = settings.newCacheProxy(metrics.registry());
    admin = startAdmin(null);
  }

  private AdminServer startAdmin(@Nullable ConfigReloader withReloader) {
    return AdminServer.start(
        "127.0.0.1",
        0,
        metrics.registry(),
        new Readiness(proxy, dir.resolve("data"), Instant::now),
        new AdminApi(proxy, withReloader, java.time.Clock.systemUTC(), threads),
        null);
  }

  private String yaml(String ruleName) {
    return "storage:\n  dataDir: "
        + dir.resolve("data")
        + "\nrules:\n  - name: "
        + ruleName
        + "\n    target: \"up/*\"\n    source: \"http://127.0.0.1:"
        + upstream.getPort()
        + "/*\"\n";
  }

  @AfterEach
  void stop() throws InterruptedException {
    joinWarms();
    admin.close();
    if (reloader != null) {
      reloader.close();
    }
    proxy.close();
    metrics.close();
    upstream.close();
  }

  // ---- the upstream

  private static byte[] bytes(int size, int seed) {
    byte[] b = new byte[size];
    new java.util.Random(seed).nextBytes(b);
    return b;
  }

  private Digest serveBlob(String repository, byte[] blob) {
    Digest digest = Digest.sha256(blob);
    content.put("/v2/" + repository + "/blobs/" + digest, blob);
    return digest;
  }

  private Digest serveManifest(String repository, String tag, String json) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    Digest digest = Digest.sha256(bytes);
    content.put("/v2/" + repository + "/manifests/" + tag, bytes);
    content.put("/v2/" + repository + "/manifests/" + digest, bytes);
    return digest;
  }

  private String descriptor(String type, Digest digest) {
    String path =
        content.keySet().stream()
            .filter(p -> p.endsWith(digest.toString()))
            .findFirst()
            .orElseThrow();
    return "{\"mediaType\":\""
        + type
        + "\",\"digest\":\""
        + digest
        + "\",\"size\":"
        + content.get(path).length
        + "}";
  }

  private MockResponse answer(RecordedRequest request) {
    String path = request.getUrl().encodedPath();
    if (path.equals("/v2/")) {
      return new MockResponse.Builder().code(200).body("{}").build();
    }
    byte[] body = content.get(path);
    if (body == null) {
      return new MockResponse.Builder()
          .code(404)
          .addHeader("Content-Type", "application/json")
          .body("{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"not here\"}]}")
          .build();
    }
    MockResponse.Builder response =
        new MockResponse.Builder()
            .code(200)
            .addHeader(
                "Content-Type",
                path.contains("/manifests/")
                    ? "application/vnd.oci.image.manifest.v1+json"
                    : "application/octet-stream")
            .addHeader("Docker-Content-Digest", Digest.sha256(body).toString());
    if (request.getMethod().equals("HEAD")) {
      return response.setHeader("Content-Length", body.length).build();
    }
    return response.body(new Buffer().write(body)).build();
  }

  // ---- HTTP

  private HttpResponse<String> send(String method, String path, @Nullable String body)
      throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build();
    return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode json(HttpResponse<String> response) throws IOException {
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    return JSON.readTree(response.body());
  }

  private void assertError(HttpResponse<String> response, int status, String code, String message)
      throws IOException {
    assertThat(response.statusCode()).isEqualTo(status);
    JsonNode error = json(response).path("errors").path(0);
    assertThat(error.path("code").asText()).isEqualTo(code);
    assertThat(error.path("message").asText()).contains(message);
  }

  private void joinWarms() throws InterruptedException {
    for (Thread thread : warmThreads) {
      thread.join();
    }
  }

  /** Starts a warm of {@code image}, waits for it to end and returns the job. */
  private JsonNode warmAndWait(String image) throws Exception {
    HttpResponse<String> started = send("POST", "/admin/warm", "{\"image\":\"" + image + "\"}");
    assertThat(started.statusCode()).isEqualTo(202);
    String id = json(started).path("id").asText();
    joinWarms();
    return json(send("GET", "/admin/warm/" + id, null));
  }

  // ---- rules and stats

  @Test
  void rules_listsEachRule_withItsMatches() throws Exception {
    proxy.manifest(RepositoryName.of("up/app"), Tag.parse("1.0"), List.of());

    HttpResponse<String> response = send("GET", "/admin/rules", null);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
    JsonNode rule = json(response).path("rules").path(0);
    assertThat(rule.path("name").asText()).isEqualTo("up");
    assertThat(rule.path("target").asText()).isEqualTo("up/*");
    assertThat(rule.path("source").asText()).contains("127.0.0.1:" + upstream.getPort());
    assertThat(rule.path("mode").asText()).isNotEmpty();
    assertThat(rule.path("matches").asLong()).isEqualTo(1);
  }

  @Test
  void stats_countsRequestsByRuleAndResult_andStoragePerRepository() throws Exception {
    proxy.manifest(RepositoryName.of("up/app"), Tag.parse("1.0"), List.of());
    proxy.manifest(RepositoryName.of("up/app"), manifestDigest, List.of());
    warmAndWait("up/app:1.0");

    JsonNode stats = json(send("GET", "/admin/stats", null));

    JsonNode rule = stats.path("rules").path(0);
    assertThat(rule.path("name").asText()).isEqualTo("up");
    assertThat(rule.path("requestsByKind").path("manifest").path("miss").asLong()).isEqualTo(1);
    assertThat(rule.path("requestsByKind").path("manifest").path("hit").asLong()).isEqualTo(2);
    assertThat(rule.path("requestsByKind").path("blob").path("miss").asLong()).isEqualTo(3);
    assertThat(rule.path("requests").path("hit").asLong()).isEqualTo(2);
    assertThat(rule.path("requests").path("miss").asLong()).isEqualTo(4);
    assertThat(rule.path("matches").asLong()).isEqualTo(6);
    JsonNode repository = stats.path("repositories").path(0);
    assertThat(repository.path("registry").asText()).isEqualTo("127.0.0.1:" + upstream.getPort());
    assertThat(repository.path("repository").asText()).isEqualTo("app");
    assertThat(repository.path("rule").asText()).isEqualTo("up");
    assertThat(repository.path("manifests").asInt()).isEqualTo(1);
    // the manifest's own blob counts as well
    assertThat(repository.path("bytes").asLong())
        .isEqualTo(
            config.length
                + layer1.length
                + layer2.length
                + content.get("/v2/app/manifests/1.0").length);
    assertThat(stats.path("totals").path("repositories").asInt()).isEqualTo(1);
    assertThat(stats.path("totals").path("blobs").asLong()).isEqualTo(4); // and the manifest
    assertThat(stats.path("totals").path("usedBytes").asLong()).isGreaterThan(8000);
  }

  // ---- warm

  @Test
  void warm_runsInTheBackground_andReportsWhatItFetched() throws Exception {
    HttpResponse<String> started =
        send("POST", "/admin/warm", "{\"image\":\"up/app:1.0\",\"platforms\":[\"linux/amd64\"]}");

    assertThat(started.statusCode()).isEqualTo(202);
    JsonNode job = json(started);
    String id = job.path("id").asText();
    assertThat(started.headers().firstValue("Location")).hasValue("/admin/warm/" + id);
    assertThat(job.path("image").asText()).isEqualTo("up/app:1.0");
    assertThat(job.path("platforms").toString()).isEqualTo("[\"linux/amd64\"]");
    assertThat(job.path("startedAt").asText()).isNotEmpty();

    joinWarms();
    JsonNode done = json(send("GET", "/admin/warm/" + id, null));
    assertThat(done.path("status").asText()).isEqualTo("done");
    assertThat(done.path("blobsDone").asLong()).isEqualTo(3);
    assertThat(done.path("blobsTotal").asLong()).isEqualTo(3);
    long size = config.length + layer1.length + layer2.length;
    assertThat(done.path("bytesDone").asLong()).isEqualTo(size);
    assertThat(done.path("bytesTotal").asLong()).isEqualTo(size);
    assertThat(done.path("error").isNull()).isTrue();
    assertThat(done.path("endedAt").asText()).isNotEmpty();
    JsonNode report = done.path("report");
    assertThat(report.path("manifests").toString()).isEqualTo("[\"" + manifestDigest + "\"]");
    assertThat(report.path("blobs").asInt()).isEqualTo(3);
    assertThat(report.path("blobsFetched").asInt()).isEqualTo(3);
    assertThat(report.path("bytesFetched").asLong()).isEqualTo(size);

    JsonNode again = warmAndWait("up/app@" + manifestDigest);
    assertThat(again.path("report").path("blobsFetched").asInt()).isZero();
  }

  @Test
  void warm_unknownTag_fails_withTheProxysMessage() throws Exception {
    JsonNode job = warmAndWait("up/app:2.0");

    assertThat(job.path("status").asText()).isEqualTo("failed");
    assertThat(job.path("error").asText()).contains("app").contains("2.0");
    assertThat(job.path("report").isNull()).isTrue();
    assertThat(job.path("endedAt").asText()).isNotEmpty();
  }

  @Test
  void warm_list_showsTheMostRecentJobFirst() throws Exception {
    String first = warmAndWait("up/app:1.0").path("id").asText();
    String second = warmAndWait("up/app:2.0").path("id").asText();

    JsonNode list = json(send("GET", "/admin/warm", null));

    assertThat(list.path("jobs").findValuesAsText("id")).containsExactly(second, first);
  }

  @Test
  void warm_unknownJob_is404() throws Exception {
    assertError(send("GET", "/admin/warm/nope", null), 404, "NAME_UNKNOWN", "no warm job nope");
  }

  @Test
  void warm_badBodies_are400() throws Exception {
    assertError(send("POST", "/admin/warm", "{\"image\":"), 400, "MANIFEST_INVALID", "not JSON");
    assertError(send("POST", "/admin/warm", "[]"), 400, "MANIFEST_INVALID", "JSON object");
    assertError(send("POST", "/admin/warm", ""), 400, "MANIFEST_INVALID", "no body");
    assertError(send("POST", "/admin/warm", "{}"), 400, "MANIFEST_INVALID", "no \"image\"");
    assertError(
        send("POST", "/admin/warm", "{\"image\":\"Up/App:1\"}"),
        400,
        "NAME_INVALID",
        "invalid repository name");
    assertError(
        send("POST", "/admin/warm", "{\"image\":\"up/app:-x\"}"), 400, "MANIFEST_INVALID", "tag");
    assertError(
        send("POST", "/admin/warm", "{\"image\":\"up/app@sha256:xyz\"}"),
        400,
        "DIGEST_INVALID",
        "");
    assertError(
        send("POST", "/admin/warm", "{\"image\":\"up/app\",\"platforms\":[\"linux\"]}"),
        400,
        "MANIFEST_INVALID",
        "os/architecture");
    assertError(
        send("POST", "/admin/warm", "{\"image\":\"up/app\",\"platform\":\"linux/amd64\"}"),
        400,
        "MANIFEST_INVALID",
        "unknown field \"platform\"");
    assertError(
        send("POST", "/admin/warm", "{\"image\":\"" + "a".repeat(70_000) + "\"}"),
        413,
        "SIZE_INVALID",
        "65536 bytes");
    assertThat(warmThreads).isEmpty();
  }

  // ---- purge

  @Test
  void purge_tag_removesTheImage() throws Exception {
    warmAndWait("up/app:1.0");

    HttpResponse<String> response =
        send("POST", "/admin/purge", "{\"repository\":\"up/app\",\"reference\":\"1.0\"}");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode report = json(response);
    assertThat(report.path("target").asText()).endsWith("/app:1.0");
    assertThat(report.path("manifests").asInt()).isEqualTo(1);
    assertThat(report.path("tags").asInt()).isEqualTo(1);
    assertThat(report.path("blobs").asInt()).isGreaterThanOrEqualTo(3);
    assertThat(report.path("bytes").asLong())
        .isGreaterThanOrEqualTo(config.length + layer1.length + layer2.length);
    assertThat(proxy.storageUsage().repositories()).isEmpty();
  }

  @Test
  void purge_wholeRepository_withoutReference() throws Exception {
    warmAndWait("up/app:1.0");

    JsonNode report = json(send("POST", "/admin/purge", "{\"repository\":\"up/app\"}"));

    assertThat(report.path("manifests").asInt()).isEqualTo(1);
    assertThat(proxy.storageUsage().repositories()).isEmpty();
  }

  @Test
  void purge_badInput_is400_andAnUnroutedName404() throws Exception {
    assertError(
        send("POST", "/admin/purge", "{\"repository\":\"UP\"}"),
        400,
        "NAME_INVALID",
        "invalid repository name");
    assertError(
        send("POST", "/admin/purge", "{\"repository\":7}"), 400, "MANIFEST_INVALID", "string");
    assertError(
        send("POST", "/admin/purge", "{\"repository\":\"other/app\"}"), 404, "NAME_UNKNOWN", "");
  }

  // ---- methods and paths

  @Test
  void methodNotAllowed_is405_withAllow() throws Exception {
    HttpResponse<String> purge = send("GET", "/admin/purge", null);
    assertError(purge, 405, "UNSUPPORTED", "GET /admin/purge is not supported");
    assertThat(purge.headers().firstValue("Allow")).hasValue("POST");

    HttpResponse<String> rules = send("POST", "/admin/rules", "{}");
    assertError(rules, 405, "UNSUPPORTED", "");
    assertThat(rules.headers().firstValue("Allow")).hasValue("GET, HEAD");

    HttpResponse<String> warm = send("DELETE", "/admin/warm", null);
    assertThat(warm.headers().firstValue("Allow")).hasValue("GET, HEAD, POST");

    HttpResponse<String> metricsPost = send("POST", "/metrics", "{}");
    assertError(metricsPost, 405, "UNSUPPORTED", "");
    assertThat(metricsPost.headers().firstValue("Allow")).hasValue("GET, HEAD");
  }

  @Test
  void unknownAdminPath_is404() throws Exception {
    assertError(send("GET", "/admin/nope", null), 404, "NAME_UNKNOWN", "/admin/rules");
  }

  // ---- reload

  @Test
  void reload_withoutConfig_is409() throws Exception {
    assertError(send("POST", "/admin/reload", null), 409, "UNSUPPORTED", "without --config");
  }

  @Test
  void reload_withConfig_appliesTheFile_orSaysWhyItRefused() throws Exception {
    admin.close();
    reloader =
        ConfigReloader.start(configFile, settings, Files.readString(configFile), c -> c, proxy);
    admin = startAdmin(reloader);
    Files.writeString(configFile, yaml("renamed"));

    HttpResponse<String> applied = send("POST", "/admin/reload", null);

    assertThat(applied.statusCode()).isEqualTo(200);
    JsonNode outcome = json(applied);
    assertThat(outcome.path("outcome").asText()).isEqualTo("applied");
    assertThat(outcome.path("message").asText()).startsWith("configuration reloaded: 1 rules");
    assertThat(outcome.path("rules").asInt()).isEqualTo(1);
    assertThat(proxy.rules().rules().getFirst().name()).isEqualTo("renamed");

    Files.writeString(configFile, "rules:\n  - name: x\n    sourc: y\n");
    JsonNode refused = json(send("POST", "/admin/reload", null));
    assertThat(refused.path("outcome").asText()).isEqualTo("refused");
    assertThat(refused.path("message").asText()).contains("sourc");
    assertThat(proxy.rules().rules().getFirst().name()).isEqualTo("renamed");
  }
}
