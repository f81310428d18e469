/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.rules.Rule;
import dev.cacheproxy.rules.RuleSet;
import io.undertow.Undertow;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A manifest by digest that the proxy holds in memory is answered on the IO thread, without a
 * dispatched task; everything else still goes to the executor.
 */
class RegistryHandlerFromMemoryTest {

  private static final String OCI = "application/vnd.oci.image.manifest.v1+json";
  private static final byte[] MANIFEST =
      "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"layers\":[]}"
          .getBytes(StandardCharsets.UTF_8);
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @TempDir Path dir;

  private final MockWebServer upstream = new MockWebServer();
  private final AtomicInteger dispatched = new AtomicInteger();
  private CacheProxy proxy;
  private ExecutorService executor;
  private Undertow undertow;
  private int port;
  private String digest;

  @BeforeEach
  void start() throws IOException, NoSuchAlgorithmException {
    digest =
        "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(MANIFEST));
    upstream.enqueue(
        new MockResponse.Builder()
            .addHeader("Content-Type", OCI)
            .addHeader("Docker-Content-Digest", digest)
            .body(new okio.Buffer().write(MANIFEST))
            .build());
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
            .setHandler(
                new RegistryHandler(
                    proxy,
                    task -> {
                      dispatched.incrementAndGet();
                      executor.execute(task);
                    }))
            .build();
    undertow.start();
    port = ((InetSocketAddress) undertow.getListenerInfo().getFirst().getAddress()).getPort();
  }

  @AfterEach
  void stop() {
    undertow.stop();
    executor.shutdownNow();
    proxy.close();
    upstream.close();
  }

  private HttpResponse<byte[]> get(String path) throws Exception {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Accept", OCI)
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void manifestByDigest_inMemory_isAnsweredWithoutDispatch_andIdentical() throws Exception {
    HttpResponse<byte[]> first = get("/v2/up/library/app/manifests/" + digest);
    int afterFirst = dispatched.get();
    HttpResponse<byte[]> second = get("/v2/up/library/app/manifests/" + digest);

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("X-Cache")).hasValue("MISS");
    assertThat(afterFirst).isEqualTo(1);
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(second.body()).isEqualTo(MANIFEST);
    assertThat(second.headers().firstValue("X-Cache")).hasValue("HIT");
    assertThat(second.headers().firstValue("Docker-Content-Digest")).hasValue(digest);
    assertThat(second.headers().firstValue("Content-Type")).hasValue(OCI);
    assertThat(dispatched.get()).isEqualTo(afterFirst);
    assertThat(upstream.getRequestCount()).isEqualTo(1);
  }

  @Test
  void manifestByDigest_ofAnotherRepository_isDispatched() throws Exception {
    get("/v2/up/library/app/manifests/" + digest);
    upstream.enqueue(
        new MockResponse.Builder()
            .code(404)
            .addHeader("Content-Type", "application/json")
            .body("{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"no\"}]}")
            .build());
    int before = dispatched.get();

    HttpResponse<byte[]> other = get("/v2/up/library/other/manifests/" + digest);

    assertThat(dispatched.get()).isEqualTo(before + 1);
    assertThat(other.statusCode()).isEqualTo(404);
  }

  @Test
  void unknownRepository_isRefusedOnTheIoThread_asTheDispatchedPathWould() throws Exception {
    HttpResponse<byte[]> response = get("/v2/nowhere/app/manifests/" + digest);

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(new String(response.body(), StandardCharsets.UTF_8)).contains("NAME_UNKNOWN");
    assertThat(dispatched.get()).isZero();
  }
}
