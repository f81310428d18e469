/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Random;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The faults of {@link FaultyTcpProxy}, with MockWebServer as the upstream. */
class FaultyTcpProxyTest {

  private static final int KIB = 1024;

  private final MockWebServer upstream = new MockWebServer();
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  @BeforeEach
  void startUpstream() throws IOException {
    upstream.start(InetAddress.getByName("127.0.0.1"), 0);
  }

  @AfterEach
  void stop() {
    http.shutdownNow();
    upstream.close();
  }

  @Test
  void reset_breaksALargeResponse_andPassesSmallOnesOnTheSameConnection() throws Exception {
    FaultyTcpProxy.Faults resetAll = new FaultyTcpProxy.Faults(1, 0, Duration.ZERO, 0, 1, 64 * KIB);
    try (FaultyTcpProxy proxy = FaultyTcpProxy.start(upstream.getPort(), 1, resetAll)) {
      for (int i = 0; i < 3; i++) {
        upstream.enqueue(body(4 * KIB));
        assertThat(get(proxy).body()).as("small response %d", i).hasSize(4 * KIB);
      }
      assertThat(proxy.connections()).as("one kept-alive connection").isOne();

      upstream.enqueue(body(1024 * KIB));
      assertThatThrownBy(() -> get(proxy))
          .as("a response of 1 MiB, reset at a random offset")
          .isInstanceOf(IOException.class);
      assertThat(proxy.resets()).isOne();
      assertThat(proxy.bytesToClient()).isLessThan(3 * 5 * KIB + 1024 * KIB);
    }
  }

  @Test
  void stall_pausesOnce_andTheBodyArrivesWhole() throws Exception {
    FaultyTcpProxy.Faults stallAll =
        new FaultyTcpProxy.Faults(0, 1, Duration.ofMillis(500), 0, 1, 64 * KIB);
    try (FaultyTcpProxy proxy = FaultyTcpProxy.start(upstream.getPort(), 2, stallAll)) {
      byte[] expected = bytes(256 * KIB);
      upstream.enqueue(new MockResponse.Builder().body(new Buffer().write(expected)).build());
      long start = System.nanoTime();
      assertThat(get(proxy).body()).isEqualTo(expected);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(450));
      assertThat(proxy.stalls()).isOne();
    }
  }

  @Test
  void throttle_limitsTheRate_andTheBodyArrivesWhole() throws Exception {
    FaultyTcpProxy.Faults throttleAll =
        new FaultyTcpProxy.Faults(0, 0, Duration.ZERO, 1, 2048 * KIB, 64 * KIB);
    try (FaultyTcpProxy proxy = FaultyTcpProxy.start(upstream.getPort(), 3, throttleAll)) {
      byte[] expected = bytes(1024 * KIB);
      upstream.enqueue(new MockResponse.Builder().body(new Buffer().write(expected)).build());
      long start = System.nanoTime();
      assertThat(get(proxy).body()).isEqualTo(expected);
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .as("1 MiB at 2 MiB/s")
          .isGreaterThan(Duration.ofMillis(400));
      assertThat(proxy.throttled()).isOne();
    }
  }

  @Test
  void upstreamDown_closesTheClientsConnection() throws Exception {
    int port = upstream.getPort();
    upstream.close();
    try (FaultyTcpProxy proxy = FaultyTcpProxy.start(port, 4, FaultyTcpProxy.Faults.none())) {
      assertThatThrownBy(() -> get(proxy)).isInstanceOf(IOException.class);
      assertThat(proxy.upstreamRefused()).isPositive();
    }
  }

  private HttpResponse<byte[]> get(FaultyTcpProxy proxy) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://" + proxy.hostPort() + "/blob"))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private static MockResponse body(int size) {
    return new MockResponse.Builder().body(new Buffer().write(bytes(size))).build();
  }

  private static byte[] bytes(int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return bytes;
  }
}
