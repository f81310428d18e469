/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import static dev.cacheproxy.server.it.TestImages.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.core.Digest;
import dev.cacheproxy.server.ProxyServer;
import dev.cacheproxy.server.admin.AdminServer;
import dev.cacheproxy.server.admin.Readiness;
import dev.cacheproxy.server.config.ProxyConfig;
import dev.cacheproxy.server.transport.ConnectionLimits;
import dev.cacheproxy.server.transport.IpAllowlist;
import dev.cacheproxy.server.transport.ListenerSettings;
import dev.cacheproxy.server.transport.RawHttp;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry and admin listeners' allow lists and connection limits against real sockets, with
 * the proxy in this JVM in front of a real registry.
 */
class ListenerLimitsIT extends EndToEndTestBase {

  private static final String REPO = "it/limits";
  private static final Duration GENEROUS = Duration.ofSeconds(60);

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  @Test
  void allowlist_registryAndAdmin_refuseOtherAddressesWithDenied(@TempDir Path tmp)
      throws Exception {
    IpAllowlist only2 = IpAllowlist.of(List.of("127.0.0.2/32"));
    ListenerSettings registryListener =
        new ListenerSettings("127.0.0.1", 0, only2, null, ConnectionLimits.DEFAULTS);
    ListenerSettings adminListener =
        new ListenerSettings("127.0.0.1", 0, only2, null, ConnectionLimits.DEFAULTS);
    CacheProxy cacheProxy = newCacheProxy(tmp);
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (ProxyServer server = ProxyServer.start(cacheProxy, registryListener);
        AdminServer admin =
            AdminServer.start(
                adminListener,
                metrics,
                new Readiness(cacheProxy, tmp.resolve("data"), Instant::now),
                null,
                null)) {
      RawHttp.Response refused = RawHttp.get("127.0.0.1", server.port(), "/v2/");
      assertThat(refused.status()).isEqualTo(403);
      assertThat(refused.body())
          .contains("\"code\":\"DENIED\"")
          .contains("the registry listener does not accept connections from 127.0.0.1");
      assertThat(RawHttp.get("127.0.0.2", server.port(), "/v2/").status()).isEqualTo(200);

      RawHttp.Response adminRefused = RawHttp.get("127.0.0.1", admin.port(), "/healthz");
      assertThat(adminRefused.status()).isEqualTo(403);
      assertThat(adminRefused.body())
          .contains("\"code\":\"DENIED\"")
          .contains("the admin listener does not accept connections from 127.0.0.1");
      assertThat(RawHttp.get("127.0.0.2", admin.port(), "/healthz").status()).isEqualTo(200);
    } finally {
      metrics.close();
    }
  }

  @Test
  void writeTimeout_clientStopsReading_isCutOffWhileOthersAreServed(@TempDir Path tmp)
      throws Exception {
    TestImages.Image image = TestImages.write(tmp.resolve("layout"), "v1", 8101, 48 * MIB);
    skopeo().push(image.layout(), "v1", registry().ref(REPO, "v1"));
    Digest layer = image.layers().getFirst().digest();
    Path layerFile = blobFile(image, layer);
    ConnectionLimits limits =
        new ConnectionLimits(
            100, Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(5));
    try (ProxyServer server =
        ProxyServer.start(
            newCacheProxy(tmp),
            new ListenerSettings("127.0.0.1", 0, IpAllowlist.everyone(), null, limits))) {
      String path = "/v2/" + InProcessProxy.PREFIX + REPO + "/blobs/" + layer;
      // warm: the rest goes out of the cache, zero-copy
      assertThat(sha256(get(server, path, null).body())).isEqualTo(layer.hex());

      try (Socket stalled = new Socket()) {
        stalled.setReceiveBufferSize(16 * 1024);
        stalled.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
        stalled.setSoTimeout(30_000);
        send(stalled.getOutputStream(), server.port(), path);
        InputStream in = stalled.getInputStream();
        long received = in.readNBytes(64 * 1024).length;
        Instant stalledAt = Instant.now();

        // While that client reads nothing, another one gets the whole blob, and a third one
        // reading slowly but steadily (well inside the write timeout between reads) gets a
        // 8 MiB range at about 1.3 MB/s, longer than the write timeout. (Progress shows when the
        // kernel send buffer, up to 4 MiB on Linux, has drained to half: the write timeout must
        // exceed what a slow client takes to read 2 MiB.)
        assertThat(sha256(get(server, path, null).body())).isEqualTo(layer.hex());
        byte[] slow = slowRange(server.port(), path, 1000, 1000 + 8 * MIB - 1);
        assertThat(slow)
            .isEqualTo(
                Arrays.copyOfRange(Files.readAllBytes(layerFile), 1000, 1000 + 8 * (int) MIB));
        assertThat(Duration.between(stalledAt, Instant.now()))
            .as("the slow range took longer than the write timeout")
            .isGreaterThan(limits.writeTimeout());

        // Give the stalled connection well over the write timeout before it reads again.
        Instant readAgain = stalledAt.plus(limits.writeTimeout().multipliedBy(3));
        while (Instant.now().isBefore(readAgain)) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        // Now read on: the server closed the connection after the write timeout, so what the
        // socket buffers held arrives, and then the end, far short of the blob.
        received += drain(in);
        assertThat(received)
            .as("bytes the stalled client got before the server cut it off")
            .isLessThan(Files.size(layerFile) / 2);
      }
    }
  }

  @Test
  void maxConnections_idleConnectionsTimeOut_thenQueuedClientIsServed(@TempDir Path tmp)
      throws Exception {
    Duration idle = Duration.ofSeconds(3);
    ConnectionLimits limits =
        new ConnectionLimits(2, idle, Duration.ofSeconds(30), Duration.ofMinutes(5));
    try (ProxyServer server =
            ProxyServer.start(
                newCacheProxy(tmp),
                new ListenerSettings("127.0.0.1", 0, IpAllowlist.everyone(), null, limits));
        Socket first = new Socket();
        Socket second = new Socket()) {
      // Both connections take a slot: each gets its answer and stays open, idle. Neither can
      // time out before idleTimeout after the first request started.
      long firstRequest = System.nanoTime();
      keepAlive(first, server.port());
      keepAlive(second, server.port());

      CompletableFuture<HttpResponse<String>> queued =
          http.sendAsync(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v2/"))
                  .timeout(GENEROUS)
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(queued.get(GENEROUS.toSeconds(), TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      Duration waited = Duration.ofNanos(System.nanoTime() - firstRequest);
      assertThat(waited)
          .as("the third client waits until an idle connection times out and frees a slot")
          .isGreaterThanOrEqualTo(idle);
      assertThat(endsWithin(first)).as("the server closed the idle connection").isTrue();
      assertThat(endsWithin(second)).as("the server closed the idle connection").isTrue();
      // and the listener keeps serving
      assertThat(RawHttp.get("127.0.0.1", server.port(), "/v2/").status()).isEqualTo(200);
    }
  }

  private CacheProxy newCacheProxy(Path tmp) {
    return ProxyConfig.parse(InProcessProxy.configYaml(registry()))
        .withPort(0)
        .withDataDirectory(tmp.resolve("data"))
        .newCacheProxy();
  }

  private HttpResponse<byte[]> get(ProxyServer server, String path, String range)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(GENEROUS);
    if (range != null) {
      request.header("Range", range);
    }
    HttpResponse<byte[]> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).as("GET %s", path).isIn(200, 206);
    return response;
  }

  /** Reads a range in steps of at most 64 KiB with a 50 ms pause between them. */
  private static byte[] slowRange(int port, String path, long first, long last) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET "
                  + path
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nRange: bytes="
                  + first
                  + "-"
                  + last
                  + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String head = readResponseHead(in);
      assertThat(head).startsWith("HTTP/1.1 206");
      int length = (int) (last - first + 1);
      byte[] body = new byte[length];
      int at = 0;
      while (at < length) {
        int n = in.read(body, at, Math.min(64 * 1024, length - at));
        if (n < 0) {
          throw new AssertionError("the slow reader was cut off after " + at + " bytes");
        }
        at += n;
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
      }
      return body;
    }
  }

  private static void keepAlive(Socket socket, int port) throws IOException {
    socket.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 10_000);
    socket.setSoTimeout(30_000);
    send(socket.getOutputStream(), port, "/v2/");
    readResponseHead(socket.getInputStream());
  }

  private static void send(OutputStream out, int port, String path) throws IOException {
    out.write(
        ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** Reads the status line and headers, and a small body by its Content-Length. */
  private static String readResponseHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("the connection ended in the headers: " + head);
      }
      head.append((char) b);
    }
    String text = head.toString();
    if (!text.startsWith("HTTP/1.1 206")
        && text.toLowerCase(Locale.ROOT).contains("content-length: ")) {
      String value =
          text.toLowerCase(Locale.ROOT).split("content-length: ")[1].split("\r\n")[0].strip();
      long length = Long.parseLong(value);
      if (length < 64 * 1024) {
        in.readNBytes((int) length);
      }
    }
    return text;
  }

  /** Whether the server closes {@code socket} (EOF or reset) within its read timeout. */
  private static boolean endsWithin(Socket socket) throws IOException {
    try {
      return socket.getInputStream().read() < 0;
    } catch (SocketException e) {
      return true;
    }
  }

  private static long drain(InputStream in) throws IOException {
    long total = 0;
    byte[] buffer = new byte[64 * 1024];
    try {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        total += n;
      }
    } catch (SocketException e) {
      // reset: the server closed with data unread
    }
    return total;
  }

  private static Path blobFile(TestImages.Image image, Digest digest) {
    return image.layout().resolve("blobs").resolve(digest.algorithm()).resolve(digest.hex());
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
