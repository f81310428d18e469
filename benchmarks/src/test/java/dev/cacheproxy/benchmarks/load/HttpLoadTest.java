/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpLoadTest {
  private static final byte[] FIXED = randomBytes(100_000, 1);
  private static final byte[] CHUNKED = randomBytes(50_000, 2);
  private static final byte[] CONFIG =
      "{\"architecture\":\"amd64\"}".getBytes(StandardCharsets.UTF_8);
  private static final byte[] LAYER_1 = randomBytes(200_000, 3);
  private static final byte[] LAYER_2 = randomBytes(300_000, 4);
  private static final byte[] TAMPERED = randomBytes(300_000, 5);

  private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
  private final Set<Integer> closeClientPorts = ConcurrentHashMap.newKeySet();
  private final Set<String> testHeaders = ConcurrentHashMap.newKeySet();
  private ExecutorService executor;
  private HttpServer server;
  private HttpServer other;
  private int port;

  @BeforeEach
  void startServers() throws IOException {
    executor = Executors.newVirtualThreadPerTaskExecutor();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
    port = server.getAddress().getPort();
    other = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    other.setExecutor(executor);
    other.createContext("/", this::handle);
    other.start();
    for (byte[] blob : new byte[][] {CONFIG, LAYER_1, LAYER_2}) {
      blobs.put(digest(blob), blob);
    }
    blobs.put(digest(randomBytes(300_000, 6)), TAMPERED);
  }

  @AfterEach
  void stopServers() {
    server.stop(0);
    other.stop(0);
    executor.close();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String testHeader = exchange.getRequestHeaders().getFirst("X-Test");
      if (testHeader != null) {
        testHeaders.add(testHeader);
      }
      if (path.equals("/fixed")) {
        send(exchange, 200, FIXED);
      } else if (path.equals("/chunked")) {
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream body = exchange.getResponseBody()) {
          body.write(CHUNKED, 0, 20_000);
          body.flush();
          body.write(CHUNKED, 20_000, CHUNKED.length - 20_000);
        }
      } else if (path.equals("/close")) {
        closeClientPorts.add(exchange.getRemoteAddress().getPort());
        exchange.getResponseHeaders().set("Connection", "close");
        send(exchange, 200, FIXED);
      } else if (path.equals("/redirect")) {
        redirect(exchange, "/fixed");
      } else if (path.equals("/redirect-other-port")) {
        redirect(exchange, "http://127.0.0.1:" + other.getAddress().getPort() + "/chunked");
      } else if (path.equals("/redirect-loop")) {
        redirect(exchange, "/redirect-loop");
      } else if (path.startsWith("/v2/")) {
        registry(exchange, path);
      } else {
        exchange.sendResponseHeaders(404, -1);
      }
    }
  }

  private void registry(HttpExchange exchange, String path) throws IOException {
    String digest = path.substring(path.lastIndexOf('/') + 1);
    if (path.equals("/v2/demo/app/manifests/v1")) {
      send(exchange, 200, manifest(LAYER_2));
    } else if (path.equals("/v2/demo/bad/manifests/v1")) {
      send(exchange, 200, manifest(randomBytes(300_000, 6)));
    } else if (path.contains("/blobs/") && blobs.containsKey(digest)) {
      if (path.startsWith("/v2/demo/app/") && digest.equals(digest(LAYER_1))) {
        redirect(exchange, "/v2/storage/blobs/" + digest + "?signature=x");
      } else {
        send(exchange, 200, blobs.get(digest));
      }
    } else {
      exchange.sendResponseHeaders(404, -1);
    }
  }

  private static byte[] manifest(byte[] lastLayer) {
    String json =
        """
        {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
         "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},
         "layers":[
          {"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":%d},
          {"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":%d}]}
        """
            .formatted(
                digest(CONFIG),
                CONFIG.length,
                digest(LAYER_1),
                LAYER_1.length,
                digest(lastLayer),
                lastLayer.length);
    return json.getBytes(StandardCharsets.UTF_8);
  }

  private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private static void redirect(HttpExchange exchange, String location) throws IOException {
    exchange.getResponseHeaders().set("Location", location);
    send(exchange, 307, "moved".getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void throughput_countsBytesAndRequests() throws IOException {
    HttpLoad.Throughput result = HttpLoad.throughput(port, "/fixed", 2, Duration.ofMillis(200));

    assertThat(result.errors()).isZero();
    assertThat(result.requests()).isPositive();
    assertThat(result.bytes())
        .isBetween(result.requests() * FIXED.length, (result.requests() + 2) * FIXED.length);
    assertThat(result.seconds()).isEqualTo(0.2);
    assertThat(result.megabytesPerSecond()).isEqualTo(result.bytes() / 1e6 / 0.2);
  }

  @Test
  void throughput_readsChunkedBodies() throws IOException {
    HttpLoad.Throughput result = HttpLoad.throughput(port, "/chunked", 1, Duration.ofMillis(150));

    assertThat(result.errors()).isZero();
    assertThat(result.requests()).isPositive();
    assertThat(result.bytes())
        .isBetween(result.requests() * CHUNKED.length, (result.requests() + 1) * CHUNKED.length);
  }

  @Test
  void throughput_followsRedirects() throws IOException {
    HttpLoad.Throughput result = HttpLoad.throughput(port, "/redirect", 1, Duration.ofMillis(150));

    assertThat(result.errors()).isZero();
    assertThat(result.requests()).isPositive();
    assertThat(result.bytes()).isGreaterThanOrEqualTo(result.requests() * FIXED.length);
  }

  @Test
  void throughput_reconnectsAfterConnectionClose() throws IOException {
    HttpLoad.Throughput result = HttpLoad.throughput(port, "/close", 1, Duration.ofMillis(150));

    assertThat(result.errors()).isZero();
    assertThat(result.requests()).isPositive();
    assertThat(closeClientPorts).hasSizeGreaterThanOrEqualTo((int) result.requests());
  }

  @Test
  void client_connectionClose_opensNewConnectionForNextRequest() throws IOException {
    long[] bytes = {0};
    try (RawHttpClient client = new RawHttpClient(port)) {
      for (int i = 0; i < 3; i++) {
        int status =
            client.get(
                "/close",
                Map.of(),
                (buffer, offset, length) -> {
                  bytes[0] += length;
                  return true;
                });
        assertThat(status).isEqualTo(200);
      }
    }

    assertThat(bytes[0]).isEqualTo(3L * FIXED.length);
    assertThat(closeClientPorts).hasSize(3);
  }

  @Test
  void throughput_countsNon2xxAsErrors() throws IOException {
    HttpLoad.Throughput result = HttpLoad.throughput(port, "/missing", 2, Duration.ofMillis(100));

    assertThat(result.requests()).isZero();
    assertThat(result.bytes()).isZero();
    assertThat(result.errors()).isPositive();
  }

  @Test
  void firstByte_hashesTheWholeBody() throws IOException {
    HttpLoad.FirstByte result = HttpLoad.firstByte(port, "/fixed");

    assertThat(result.bytes()).isEqualTo(FIXED.length);
    assertThat("sha256:" + result.sha256Hex()).isEqualTo(digest(FIXED));
    assertThat(result.firstByteMillis()).isPositive().isLessThanOrEqualTo(result.totalMillis());
  }

  @Test
  void firstByte_followsRedirectToAnotherPort() throws IOException {
    HttpLoad.FirstByte result = HttpLoad.firstByte(port, "/redirect-other-port");

    assertThat(result.bytes()).isEqualTo(CHUNKED.length);
    assertThat("sha256:" + result.sha256Hex()).isEqualTo(digest(CHUNKED));
  }

  @Test
  void firstByte_non2xx_throwsNamingStatusAndPath() {
    assertThatThrownBy(() -> HttpLoad.firstByte(port, "/missing"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("404")
        .hasMessageContaining("/missing");
    assertThatThrownBy(() -> HttpLoad.firstByte(port, "/redirect-loop"))
        .hasMessageContaining("307");
  }

  @Test
  void rate_reportsLatencyPercentiles() throws IOException {
    HttpLoad.Rate result =
        HttpLoad.rate(
            port,
            "/chunked",
            Map.of("X-Test", "yes"),
            2,
            Duration.ofMillis(50),
            Duration.ofMillis(200));

    assertThat(result.errors()).isZero();
    assertThat(result.requests()).isPositive();
    assertThat(result.seconds()).isEqualTo(0.2);
    assertThat(result.perSecond()).isEqualTo(result.requests() / 0.2);
    assertThat(result.p50Millis()).isPositive().isLessThanOrEqualTo(result.p99Millis());
    assertThat(testHeaders).containsExactly("yes");
  }

  @Test
  void pullImage_verifiesEveryBlobOfEveryClient() throws Exception {
    HttpLoad.Pull result = HttpLoad.pullImage(port, "demo/app", "v1", 4);

    assertThat(result.failures()).isEmpty();
    assertThat(result.clients()).isEqualTo(4);
    assertThat(result.blobs()).isEqualTo(3);
    assertThat(result.bytes()).isEqualTo(4L * (CONFIG.length + LAYER_1.length + LAYER_2.length));
    assertThat(result.seconds()).isPositive();
  }

  @Test
  void pullImage_digestMismatch_reportsFailurePerClient() throws Exception {
    HttpLoad.Pull result = HttpLoad.pullImage(port, "demo/bad", "v1", 2);

    assertThat(result.failures())
        .hasSize(2)
        .anySatisfy(failure -> assertThat(failure).startsWith("client 0: "))
        .allSatisfy(failure -> assertThat(failure).contains(digest(TAMPERED)));
  }

  @Test
  void pullImage_unknownTag_reportsStatus() throws Exception {
    HttpLoad.Pull result = HttpLoad.pullImage(port, "demo/app", "nope", 1);

    assertThat(result.failures()).singleElement().asString().contains("404");
    assertThat(result.bytes()).isZero();
  }

  private static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static String digest(byte[] bytes) {
    try {
      return "sha256:"
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
