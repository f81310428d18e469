/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LinkEmulatorTest {
  private ServerSocket echoServer;
  private Thread echoAcceptor;

  /** Starts an echo server: every connection gets back what it sends, then EOF after its EOF. */
  @BeforeEach
  void startEcho() throws IOException {
    echoServer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    echoAcceptor =
        Thread.ofVirtual()
            .start(() -> {
              while (true) {
                Socket socket;
                try {
                  socket = echoServer.accept();
                } catch (IOException e) {
                  return;
                }
                Thread.ofVirtual().start(() -> echo(socket));
              }
            });
  }

  private static void echo(Socket socket) {
    try (socket;
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream()) {
      in.transferTo(out);
      socket.shutdownOutput();
    } catch (IOException e) {
      // The client went away.
    }
  }

  @AfterEach
  void stopEcho() throws IOException, InterruptedException {
    echoServer.close();
    echoAcceptor.join();
  }

  @Test
  void roundTrip_costsTwiceTheLatency() throws IOException {
    try (LinkEmulator link = LinkEmulator.start(echoServer.getLocalPort(), ms(30), 0);
        Socket socket = connect(link)) {
      roundTrip(socket); // Warm up the connection path; the latency applies to every byte.
      long start = System.nanoTime();
      roundTrip(socket);
      long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

      assertThat(elapsedMillis).isBetween(60L, 260L);
      assertThat(link.connections()).isEqualTo(1);
      assertThat(link.bytesDown()).isEqualTo(8);
    }
  }

  @Test
  void firstRoundTrip_alsoPaysTheHandshake() throws IOException {
    try (LinkEmulator link = LinkEmulator.start(echoServer.getLocalPort(), ms(30), 0)) {
      long start = System.nanoTime();
      try (Socket socket = connect(link)) {
        roundTrip(socket);
      }
      long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

      assertThat(elapsedMillis).isBetween(120L, 320L);
    }
  }

  @Test
  void bandwidthCap_throttlesTransfer() throws Exception {
    byte[] data = randomBytes(8 << 20, 2);
    try (LinkEmulator link =
            LinkEmulator.start(echoServer.getLocalPort(), Duration.ZERO, 16 << 20);
        Socket socket = connect(link)) {
      long start = System.nanoTime();
      byte[] received = sendAndReceive(socket, data);
      double seconds = (System.nanoTime() - start) / 1e9;

      assertThat(received).hasSize(data.length);
      assertThat(seconds).isBetween(0.45, 3.0);
      assertThat(link.bytesDown()).isEqualTo(data.length);
    }
  }

  @Test
  void relay_deliversBytesIntact() throws Exception {
    byte[] data = randomBytes(3 << 20, 3);
    try (LinkEmulator link = LinkEmulator.start(echoServer.getLocalPort(), ms(2), 0);
        Socket socket = connect(link)) {
      byte[] received = sendAndReceive(socket, data);

      assertThat(sha256(received)).isEqualTo(sha256(data));
    }
  }

  @Test
  void close_closesRelayedConnections() throws IOException {
    LinkEmulator link = LinkEmulator.start(echoServer.getLocalPort(), ms(1), 0);
    try (Socket socket = connect(link)) {
      roundTrip(socket);

      link.close();

      socket.setSoTimeout(5_000);
      assertThatThrownBy(
              () -> {
                if (socket.getInputStream().read() < 0) {
                  throw new IOException("EOF");
                }
              })
          .isInstanceOf(IOException.class);
      assertThatThrownBy(() -> connect(link)).isInstanceOf(IOException.class);
    }
  }

  private static Socket connect(LinkEmulator link) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), link.port());
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(10_000);
    return socket;
  }

  private static void roundTrip(Socket socket) throws IOException {
    socket.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
    assertThat(socket.getInputStream().readNBytes(4)).asString().isEqualTo("ping");
  }

  /** Sends {@code data} from another thread while reading the echo until EOF. */
  private static byte[] sendAndReceive(Socket socket, byte[] data) throws Exception {
    CountDownLatch sent = new CountDownLatch(1);
    Thread sender =
        Thread.ofVirtual()
            .start(() -> {
              try {
                socket.getOutputStream().write(data);
                socket.shutdownOutput();
              } catch (IOException e) {
                // The read side fails too and reports it.
              } finally {
                sent.countDown();
              }
            });
    byte[] received = socket.getInputStream().readAllBytes();
    assertThat(sent.await(10, TimeUnit.SECONDS)).isTrue();
    sender.join();
    return received;
  }

  private static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static byte[] sha256(byte[] bytes) throws NoSuchAlgorithmException {
    return MessageDigest.getInstance("SHA-256").digest(bytes);
  }

  private static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }
}
