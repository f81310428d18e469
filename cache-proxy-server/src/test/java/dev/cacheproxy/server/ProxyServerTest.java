/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.spi.CredentialSource;
import dev.cacheproxy.rules.Governance;
import dev.cacheproxy.rules.Registries;
import dev.cacheproxy.rules.RegistryEntry;
import dev.cacheproxy.rules.Rule;
import dev.cacheproxy.rules.RuleSet;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: the server over a real {@link CacheProxy} whose upstream is a {@link FakeRegistry}.
 */
class ProxyServerTest {

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @TempDir Path dir;

  private FakeRegistry upstream;
  private CacheProxy proxy;
  private ProxyServer server;

  @BeforeEach
  void start() throws IOException {
    upstream = new FakeRegistry();
    proxy =
        CacheProxy.builder()
            .rules(RuleSet.of(List.of(Rule.of("up", "up/*", upstream.source()))))
            .dataDirectory(dir)
            .build();
    server = ProxyServer.start(proxy, "127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    server.close();
    upstream.close();
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  private HttpResponse<byte[]> send(String method, String path, String... headers)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(path)).method(method, HttpRequest.BodyPublishers.noBody());
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String text(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  @Test
  void adminPaths_areNotServedOnTheRegistryPort() throws Exception {
    for (String path : List.of("/metrics", "/healthz", "/readyz")) {
      HttpResponse<byte[]> response = send("GET", path);

      assertThat(response.statusCode()).as(path).isEqualTo(404);
      assertThat(text(response)).as(path).doesNotContain("jvm_").doesNotContain("\"UP\"");
    }
  }

  private static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  @Test
  void base_answersWithTheApiVersion() throws Exception {
    HttpResponse<byte[]> response = send("GET", "/v2/");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(text(response)).isEqualTo("{}");
    assertThat(response.headers().firstValue("Docker-Distribution-API-Version"))
        .hasValue("registry/2.0");
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
  }

  @Test
  void manifest_getThenHead_sendTheExactBytesAndHeaders() throws Exception {
    String json =
        "{\"schemaVersion\":2,\"mediaType\":\"" + FakeRegistry.MANIFEST_TYPE + "\",\"layers\":[]}";
    Digest digest = upstream.manifest("app", "v1", json);

    HttpResponse<byte[]> cold =
        send(
            "GET",
            "/v2/up/app/manifests/v1",
            "Accept",
            FakeRegistry.MANIFEST_TYPE + ";q=0.9, application/vnd.oci.image.index.v1+json");
    HttpResponse<byte[]> warm = send("GET", "/v2/up/app/manifests/v1");
    HttpResponse<byte[]> head = send("HEAD", "/v2/up/app/manifests/v1");

    assertThat(cold.statusCode()).isEqualTo(200);
    assertThat(text(cold)).isEqualTo(json);
    assertThat(cold.headers().firstValue("Content-Type")).hasValue(FakeRegistry.MANIFEST_TYPE);
    assertThat(cold.headers().firstValue("Content-Length"))
        .hasValue(Integer.toString(json.length()));
    assertThat(cold.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
    assertThat(cold.headers().firstValue("ETag")).hasValue("\"" + digest + "\"");
    assertThat(cold.headers().firstValue("X-Cache")).hasValue("MISS");
    assertThat(cold.headers().firstValue("Docker-Distribution-API-Version"))
        .hasValue("registry/2.0");
    assertThat(text(warm)).isEqualTo(json);
    assertThat(warm.headers().firstValue("X-Cache")).hasValue("HIT");
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(head.headers().firstValue("Content-Length"))
        .hasValue(Integer.toString(json.length()));
    assertThat(head.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
    assertThat(head.headers().firstValue("Content-Type")).hasValue(FakeRegistry.MANIFEST_TYPE);
    assertThat(send("GET", "/v2/up/app/manifests/" + digest).body())
        .asString(StandardCharsets.UTF_8)
        .isEqualTo(json);
  }

  @Test
  void manifest_unknownUpstream_is404ManifestUnknown() throws Exception {
    HttpResponse<byte[]> response = send("GET", "/v2/up/app/manifests/nope");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(text(response))
        .startsWith("{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":");
  }

  @Test
  void nameWithoutRule_is404NameUnknown() throws Exception {
    HttpResponse<byte[]> response = send("GET", "/v2/other/app/manifests/v1");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(text(response)).contains("\"code\":\"NAME_UNKNOWN\"");
  }

  @Test
  void namespace_routesToTheListedRegistry_andUnlistedIsDenied() throws Exception {
    String host = "registry.example.test";
    String url = upstream.source().substring(0, upstream.source().length() - 2);
    proxy.update(
        RuleSet.of(
            List.of(Rule.of("up", "up/*", upstream.source())),
            Governance.OPEN,
            Registries.of(List.of(RegistryEntry.of(host, url, null, null)))),
        CredentialSource.none());
    String json = "{\"schemaVersion\":2,\"mediaType\":\"" + FakeRegistry.MANIFEST_TYPE + "\"}";
    Digest digest = upstream.manifest("acme/app", "v1", json);
    byte[] layer = randomBytes(10_000, 3);
    Digest layerDigest = upstream.blob("acme/app", layer);
    upstream.tags("acme/app", List.of("a", "b", "c"));

    HttpResponse<byte[]> manifest = send("GET", "/v2/acme/app/manifests/v1?ns=" + host);
    HttpResponse<byte[]> blob = send("GET", "/v2/acme/app/blobs/" + layerDigest + "?ns=" + host);
    HttpResponse<byte[]> tags = send("GET", "/v2/acme/app/tags/list?n=1&ns=" + host);
    HttpResponse<byte[]> withoutNs = send("GET", "/v2/acme/app/manifests/v1");
    HttpResponse<byte[]> denied = send("GET", "/v2/acme/app/manifests/v1?ns=quay.io");

    assertThat(manifest.statusCode()).isEqualTo(200);
    assertThat(manifest.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
    assertThat(blob.body()).isEqualTo(layer);
    assertThat(tags.headers().firstValue("Link"))
        .hasValue("</v2/acme/app/tags/list?n=1&last=a&ns=" + host + ">; rel=\"next\"");
    assertThat(withoutNs.statusCode()).isEqualTo(404);
    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(text(denied))
        .contains("\"code\":\"DENIED\"")
        .contains("registries: {\\\"quay.io\\\": {}}");
    assertThat(upstream.hits("/v2/acme/app/manifests/v1")).isEqualTo(1);
  }

  @Test
  void blob_coldThenWarm_sameBytes_fetchedUpstreamOnce() throws Exception {
    byte[] content = randomBytes(3 * 1024 * 1024 + 5, 1);
    Digest digest = upstream.blob("app", content);
    String path = "/v2/up/app/blobs/" + digest;

    HttpResponse<byte[]> cold = send("GET", path);
    // The core hands out a fill's last byte only once the blob is committed, so this one is warm.
    HttpResponse<byte[]> warm = send("GET", path);

    assertThat(cold.statusCode()).isEqualTo(200);
    assertThat(cold.headers().firstValue("X-Cache")).hasValue("MISS");
    assertThat(cold.body()).isEqualTo(content);
    assertThat(warm.statusCode()).isEqualTo(200);
    assertThat(warm.headers().firstValue("X-Cache"))
        .as("served from the cached file")
        .hasValue("HIT");
    assertThat(warm.body()).isEqualTo(content);
    for (HttpResponse<byte[]> response : List.of(cold, warm)) {
      assertThat(response.headers().firstValue("Content-Type"))
          .hasValue("application/octet-stream");
      assertThat(response.headers().firstValue("Content-Length"))
          .hasValue(Integer.toString(content.length));
      assertThat(response.headers().firstValue("Docker-Content-Digest"))
          .hasValue(digest.toString());
      assertThat(response.headers().firstValue("Accept-Ranges")).hasValue("bytes");
      assertThat(response.headers().firstValue("ETag")).hasValue("\"" + digest + "\"");
    }
    assertThat(upstream.hits("/v2/app/blobs/" + digest)).isEqualTo(1);
  }

  @Test
  void blob_ranges_onColdAndWarm() throws Exception {
    byte[] content = randomBytes(1024 * 1024, 2);
    Digest digest = upstream.blob("app", content);
    String path = "/v2/up/app/blobs/" + digest;

    HttpResponse<byte[]> cold = send("GET", path, "Range", "bytes=100-199");
    // The core hands out a fill's last byte only once the blob is committed: after a full read, it
    // is warm.
    assertThat(send("GET", path).body()).isEqualTo(content);
    HttpResponse<byte[]> warm = send("GET", path, "Range", "bytes=500000-");
    HttpResponse<byte[]> unsatisfiable = send("GET", path, "Range", "bytes=2000000-");

    assertThat(cold.statusCode()).isEqualTo(206);
    assertThat(cold.headers().firstValue("Content-Range"))
        .hasValue("bytes 100-199/" + content.length);
    assertThat(cold.body()).isEqualTo(Arrays.copyOfRange(content, 100, 200));
    assertThat(warm.statusCode()).isEqualTo(206);
    assertThat(warm.headers().firstValue("X-Cache")).hasValue("HIT");
    assertThat(warm.headers().firstValue("Content-Range")).hasValue("bytes 500000-1048575/1048576");
    assertThat(warm.body()).isEqualTo(Arrays.copyOfRange(content, 500_000, content.length));
    assertThat(unsatisfiable.statusCode()).isEqualTo(416);
    assertThat(unsatisfiable.headers().firstValue("Content-Range")).hasValue("bytes */1048576");
    assertThat(text(unsatisfiable)).contains("\"code\":\"RANGE_INVALID\"");
  }

  @Test
  void blob_head_reportsSizeAndDigest() throws Exception {
    byte[] content = randomBytes(12345, 3);
    Digest digest = upstream.blob("app", content);

    HttpResponse<byte[]> head = send("HEAD", "/v2/up/app/blobs/" + digest);

    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(head.headers().firstValue("Content-Length")).hasValue("12345");
    assertThat(head.headers().firstValue("Docker-Content-Digest")).hasValue(digest.toString());
    assertThat(head.headers().firstValue("Accept-Ranges")).hasValue("bytes");
  }

  @Test
  void blob_unknownUpstream_is404BlobUnknown() throws Exception {
    HttpResponse<byte[]> response = send("GET", "/v2/up/app/blobs/sha256:" + "0".repeat(64));

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(text(response)).contains("\"code\":\"BLOB_UNKNOWN\"");
  }

  @Test
  void blob_fillFailingMidway_truncatesTheClientsTransfer() throws Exception {
    byte[] content = randomBytes(2 * 1024 * 1024, 4);
    Digest digest = upstream.brokenBlob("app", content);
    HttpRequest request = HttpRequest.newBuilder(uri("/v2/up/app/blobs/" + digest)).build();

    HttpResponse<InputStream> response =
        CLIENT.send(request, HttpResponse.BodyHandlers.ofInputStream());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Length"))
        .hasValue(Integer.toString(content.length));
    try (InputStream body = response.body()) {
      assertThatThrownBy(body::readAllBytes).isInstanceOf(IOException.class);
    }
  }

  @Test
  void tags_arePagedWithALinkHeader() throws Exception {
    upstream.tags("app", List.of("v1", "v2", "v3"));

    HttpResponse<byte[]> first = send("GET", "/v2/up/app/tags/list?n=2");
    HttpResponse<byte[]> second = send("GET", "/v2/up/app/tags/list?n=2&last=v2");
    HttpResponse<byte[]> all = send("GET", "/v2/up/app/tags/list");

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(text(first)).isEqualTo("{\"name\":\"up/app\",\"tags\":[\"v1\",\"v2\"]}");
    assertThat(first.headers().firstValue("Link"))
        .hasValue("</v2/up/app/tags/list?n=2&last=v2>; rel=\"next\"");
    assertThat(text(second)).isEqualTo("{\"name\":\"up/app\",\"tags\":[\"v3\"]}");
    assertThat(second.headers().firstValue("Link")).isEmpty();
    assertThat(text(all)).isEqualTo("{\"name\":\"up/app\",\"tags\":[\"v1\",\"v2\",\"v3\"]}");
    assertThat(send("GET", "/v2/up/app/tags/list?n=x").statusCode()).isEqualTo(400);
  }

  @Test
  void catalog_listsCachedRepositories_paged() throws Exception {
    upstream.manifest(
        "app",
        "v1",
        "{\"schemaVersion\":2,\"mediaType\":\"" + FakeRegistry.MANIFEST_TYPE + "\",\"layers\":[]}");
    upstream.manifest(
        "tool",
        "v1",
        "{\"schemaVersion\":2,\"mediaType\":\""
            + FakeRegistry.MANIFEST_TYPE
            + "\",\"layers\":[],\"x\":1}");
    assertThat(send("GET", "/v2/up/app/manifests/v1").statusCode()).isEqualTo(200);
    assertThat(send("GET", "/v2/up/tool/manifests/v1").statusCode()).isEqualTo(200);

    HttpResponse<byte[]> all = send("GET", "/v2/_catalog");
    HttpResponse<byte[]> first = send("GET", "/v2/_catalog?n=1");
    HttpResponse<byte[]> second = send("GET", "/v2/_catalog?n=1&last=up/app");

    assertThat(text(all)).isEqualTo("{\"repositories\":[\"up/app\",\"up/tool\"]}");
    assertThat(text(first)).isEqualTo("{\"repositories\":[\"up/app\"]}");
    assertThat(first.headers().firstValue("Link"))
        .hasValue("</v2/_catalog?n=1&last=up%2Fapp>; rel=\"next\"");
    assertThat(text(second)).isEqualTo("{\"repositories\":[\"up/tool\"]}");
    assertThat(second.headers().firstValue("Link")).isEmpty();
  }

  @Test
  void writes_are405Unsupported() throws Exception {
    for (String method : List.of("PUT", "POST", "PATCH", "DELETE")) {
      HttpResponse<byte[]> response = send(method, "/v2/up/app/manifests/v1");

      assertThat(response.statusCode()).as(method).isEqualTo(405);
      assertThat(response.headers().firstValue("Allow")).hasValue("GET, HEAD");
      assertThat(response.headers().firstValue("Docker-Distribution-API-Version"))
          .hasValue("registry/2.0");
      assertThat(text(response))
          .contains("\"code\":\"UNSUPPORTED\"")
          .contains("read-only pull-through cache");
    }
    assertThat(send("POST", "/v2/up/app/blobs/uploads/").statusCode()).isEqualTo(405);
  }

  @Test
  void invalidRequests_areOciErrors() throws Exception {
    assertThat(send("GET", "/v2/Up/App/manifests/v1").statusCode()).isEqualTo(400);
    assertThat(text(send("GET", "/v2/Up/App/manifests/v1"))).contains("\"code\":\"NAME_INVALID\"");
    assertThat(text(send("GET", "/v2/up/app/blobs/sha256:beef")))
        .contains("\"code\":\"DIGEST_INVALID\"");
    assertThat(text(send("GET", "/v2/up/app/manifests/-bad")))
        .contains("\"code\":\"MANIFEST_INVALID\"");
    HttpResponse<byte[]> unknown = send("GET", "/index.html");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(text(unknown)).contains("\"code\":\"NAME_UNKNOWN\"");
    assertThat(unknown.headers().firstValue("Docker-Distribution-API-Version"))
        .hasValue("registry/2.0");
  }

  @Test
  void rules_listTheRulesInForce_withTheirMatches() throws Exception {
    upstream.manifest(
        "app",
        "v1",
        "{\"schemaVersion\":2,\"mediaType\":\"" + FakeRegistry.MANIFEST_TYPE + "\",\"layers\":[]}");
    assertThat(send("GET", "/v2/up/app/manifests/v1").statusCode()).isEqualTo(200);
    assertThat(send("GET", "/v2/up/app/manifests/v1").statusCode()).isEqualTo(200);

    HttpResponse<byte[]> response = send("GET", "/_cache-proxy/rules");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(text(response))
        .isEqualTo(
            "{\"rules\":[{\"name\":\"up\",\"target\":\"up/*\",\"source\":\""
                + upstream.source()
                + "\",\"mode\":\"enabled\",\"credentials\":null,\"tagFreshness\":\"5m\","
                + "\"matches\":2}],\"registries\":[]}");
  }

  @Test
  void storage_reportsUsageAndTheRepositoriesCached() throws Exception {
    byte[] layer = "layer-bytes".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Digest layerDigest = upstream.blob("app", layer);
    String json =
        "{\"schemaVersion\":2,\"mediaType\":\""
            + FakeRegistry.MANIFEST_TYPE
            + "\",\"layers\":[{\"mediaType\":\"application/octet-stream\",\"digest\":\""
            + layerDigest
            + "\",\"size\":"
            + layer.length
            + "}]}";
    upstream.manifest("app", "v1", json);
    assertThat(send("GET", "/v2/up/app/manifests/v1").statusCode()).isEqualTo(200);
    assertThat(send("GET", "/v2/up/app/blobs/" + layerDigest).statusCode()).isEqualTo(200);
    // The client has every (verified) byte before the fill's fsync and rename are done.
    awaitStoredBlobs(2);
    long manifestBytes = json.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;

    HttpResponse<byte[]> response = send("GET", "/_cache-proxy/storage");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
    com.fasterxml.jackson.databind.JsonNode body =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body());
    assertThat(body.get("blobs").asLong()).isEqualTo(2);
    assertThat(body.get("usedBytes").asLong()).isEqualTo(manifestBytes + layer.length);
    assertThat(body.get("maxSize").isNull()).isTrue();
    assertThat(body.get("evictions").asLong()).isZero();
    assertThat(body.get("orphans").asLong()).isZero();
    com.fasterxml.jackson.databind.JsonNode repository = body.get("repositories").get(0);
    assertThat(repository.get("repository").asText()).isEqualTo("app");
    assertThat(repository.get("rule").asText()).isEqualTo("up");
    assertThat(repository.get("manifests").asInt()).isEqualTo(1);
    assertThat(repository.get("bytes").asLong()).isEqualTo(manifestBytes + layer.length);
    assertThat(repository.get("lastPull").asText()).isNotEmpty();
    assertThat(send("POST", "/_cache-proxy/storage").statusCode()).isEqualTo(405);
  }

  /** Waits (at most 10 s) until the store holds {@code count} blobs. */
  private void awaitStoredBlobs(long count) {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (proxy.storageStatus().blobs() < count && System.nanoTime() < deadline) {
      Thread.onSpinWait();
      Thread.yield();
    }
  }

  @Test
  void rules_showAnUpdateAtOnce() throws Exception {
    proxy.update(
        RuleSet.of(
            List.of(
                new Rule(
                    "ro",
                    "ro/*",
                    Rule.parseSource("ro", upstream.source()),
                    "team",
                    java.time.Duration.ofHours(1),
                    new dev.cacheproxy.rules.RulePolicy(
                        dev.cacheproxy.rules.RulePolicy.Mode.READ_ONLY,
                        List.of(),
                        List.of(),
                        null,
                        "",
                        "")))),
        name -> java.util.Optional.empty());

    assertThat(text(send("GET", "/_cache-proxy/rules")))
        .isEqualTo(
            "{\"rules\":[{\"name\":\"ro\",\"target\":\"ro/*\",\"source\":\""
                + upstream.source()
                + "\",\"mode\":\"readOnly\",\"credentials\":\"team\",\"tagFreshness\":\"1h\","
                + "\"matches\":0}],\"registries\":[]}");
  }

  @Test
  void otherProxyPaths_are404_andWritesToRules405() throws Exception {
    HttpResponse<byte[]> unknown = send("GET", "/_cache-proxy/config");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(text(unknown)).contains("\"code\":\"NAME_UNKNOWN\"");
    assertThat(send("GET", "/_cache-proxy/").statusCode()).isEqualTo(404);
    assertThat(send("DELETE", "/_cache-proxy/rules").statusCode()).isEqualTo(405);
    HttpResponse<byte[]> head = send("HEAD", "/_cache-proxy/rules");
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
  }

  @Test
  void close_isIdempotent_andStopsListening() throws Exception {
    int port = server.port();
    server.close();
    server.close();

    assertThatThrownBy(() ->
            CLIENT.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/")).build(),
                HttpResponse.BodyHandlers.discarding()))
        .isInstanceOf(IOException.class);
  }
}
