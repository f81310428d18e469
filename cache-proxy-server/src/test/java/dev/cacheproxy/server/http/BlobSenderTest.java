/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cacheproxy.core.Digest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobSenderTest {

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @TempDir Path dir;

  private TestServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private FakeBlob warm(byte[] content) throws IOException {
    Path file = dir.resolve("blob");
    Files.write(file, content);
    return FakeBlob.warm(file, content);
  }

  private void serve(FakeBlob blob) {
    server = TestServer.dispatching(exchange -> BlobSender.send(exchange, blob));
  }

  private HttpResponse<byte[]> get(String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(server.uri("/blob"));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void warm_sendsTheFileWithBlobHeaders() throws Exception {
    byte[] content = randomBytes(5 * 1024 * 1024 + 17, 1);
    FakeBlob blob = warm(content);
    serve(blob);

    HttpResponse<byte[]> response = get();

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(content);
    assertThat(response.headers().firstValue("Content-Length"))
        .hasValue(Long.toString(content.length));
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
    assertThat(response.headers().firstValue("Docker-Content-Digest"))
        .hasValue(blob.digest().toString());
    assertThat(response.headers().firstValue("ETag")).hasValue("\"" + blob.digest() + "\"");
    assertThat(response.headers().firstValue("Accept-Ranges")).hasValue("bytes");
    assertThat(response.headers().firstValue("X-Cache")).hasValue("HIT");
    assertThat(blob.closed.await(5, TimeUnit.SECONDS)).as("blob closed").isTrue();
  }

  @Test
  void warm_rangeInTheMiddle_sendsOnlyThoseBytes() throws Exception {
    byte[] content = randomBytes(3 * 1024 * 1024, 2);
    serve(warm(content));

    HttpResponse<byte[]> response = get("Range", "bytes=1000-2000999");

    assertThat(response.statusCode()).isEqualTo(206);
    assertThat(response.headers().firstValue("Content-Range"))
        .hasValue("bytes 1000-2000999/" + content.length);
    assertThat(response.headers().firstValue("Content-Length")).hasValue("2000000");
    assertThat(response.body()).isEqualTo(Arrays.copyOfRange(content, 1000, 2001000));
  }

  @Test
  void warm_smallRanges_areExact() throws Exception {
    byte[] content = randomBytes(100_000, 3);
    serve(warm(content));

    assertThat(get("Range", "bytes=0-0").body()).isEqualTo(new byte[] {content[0]});
    assertThat(get("Range", "bytes=10-19").body()).isEqualTo(Arrays.copyOfRange(content, 10, 20));
    HttpResponse<byte[]> suffix = get("Range", "bytes=-100");
    assertThat(suffix.headers().firstValue("Content-Range")).hasValue("bytes 99900-99999/100000");
    assertThat(suffix.body()).isEqualTo(Arrays.copyOfRange(content, 99_900, 100_000));
    HttpResponse<byte[]> open = get("Range", "bytes=99990-");
    assertThat(open.body()).isEqualTo(Arrays.copyOfRange(content, 99_990, 100_000));
  }

  @Test
  void warm_unsatisfiableRange_is416WithContentRange() throws Exception {
    byte[] content = randomBytes(1000, 4);
    FakeBlob blob = warm(content);
    serve(blob);

    HttpResponse<byte[]> response = get("Range", "bytes=1000-2000");

    assertThat(response.statusCode()).isEqualTo(416);
    assertThat(response.headers().firstValue("Content-Range")).hasValue("bytes */1000");
    assertThat(new String(response.body(), StandardCharsets.UTF_8))
        .contains("\"code\":\"RANGE_INVALID\"");
    assertThat(response.headers().firstValue("Docker-Content-Digest")).isEmpty();
    assertThat(blob.closed.await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void warm_ifRangeWithAnotherEtag_sendsTheWholeBlob() throws Exception {
    byte[] content = randomBytes(1000, 5);
    serve(warm(content));

    HttpResponse<byte[]> response = get("Range", "bytes=0-9", "If-Range", "\"sha256:other\"");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(content);
  }

  @Test
  void fill_streamsWithContentLength() throws Exception {
    byte[] content = randomBytes(1024 * 1024 + 3, 6);
    FakeBlob blob =
        FakeBlob.filling(Digest.sha256(content), content.length, offset -> slice(content, offset));
    serve(blob);

    HttpResponse<byte[]> response = get();

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Length"))
        .hasValue(Integer.toString(content.length));
    assertThat(response.headers().firstValue("X-Cache")).hasValue("MISS");
    assertThat(response.body()).isEqualTo(content);
    assertThat(blob.closed.await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void fill_ofUnknownSize_isChunked() throws Exception {
    byte[] content = randomBytes(200_000, 7);
    serve(FakeBlob.filling(Digest.sha256(content), -1, offset -> slice(content, offset)));

    HttpResponse<byte[]> response = get("Range", "bytes=0-9");

    assertThat(response.statusCode()).as("a range needs the size").isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Length")).isEmpty();
    assertThat(response.headers().firstValue("Transfer-Encoding")).hasValue("chunked");
    assertThat(response.body()).isEqualTo(content);
  }

  @Test
  void fill_range_opensAtTheFirstByte() throws Exception {
    byte[] content = randomBytes(300_000, 8);
    AtomicLong opened = new AtomicLong(-1);
    serve(
        FakeBlob.filling(
            Digest.sha256(content),
            content.length,
            offset -> {
              opened.set(offset);
              return slice(content, offset);
            }));

    HttpResponse<byte[]> response = get("Range", "bytes=70000-70099");

    assertThat(response.statusCode()).isEqualTo(206);
    assertThat(response.headers().firstValue("Content-Range")).hasValue("bytes 70000-70099/300000");
    assertThat(response.body()).isEqualTo(Arrays.copyOfRange(content, 70_000, 70_100));
    assertThat(opened.get()).isEqualTo(70_000);
  }

  @Test
  void fill_failingMidway_truncatesTheResponse() throws Exception {
    byte[] content = randomBytes(500_000, 9);
    FakeBlob blob =
        FakeBlob.filling(
            Digest.sha256(content), content.length, offset -> failingAfter(content, 100_000));
    serve(blob);

    assertThatThrownBy(this::get).isInstanceOf(IOException.class);
    assertThat(blob.closed.await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void fill_ofUnknownSizeFailingMidway_truncatesTheResponse() throws Exception {
    byte[] content = randomBytes(500_000, 10);
    serve(FakeBlob.filling(Digest.sha256(content), -1, offset -> failingAfter(content, 100_000)));

    assertThatThrownBy(this::get).isInstanceOf(IOException.class);
  }

  @Test
  void fill_endingEarly_truncatesTheResponse() throws Exception {
    byte[] content = randomBytes(1000, 11);
    serve(FakeBlob.filling(Digest.sha256(content), 5000, offset -> slice(content, offset)));

    assertThatThrownBy(this::get).isInstanceOf(IOException.class);
  }

  @Test
  void fill_thatCannotOpen_isAnOciError() throws Exception {
    serve(
        FakeBlob.filling(
            Digest.sha256(new byte[1]),
            1,
            offset -> {
              throw new java.io.UncheckedIOException(new IOException("upstream gone"));
            }));

    HttpResponse<byte[]> response = get();

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(new String(response.body(), StandardCharsets.UTF_8))
        .contains("\"code\":\"UNKNOWN\"")
        .doesNotContain("upstream gone");
  }

  @Test
  void warm_clientHangingUp_closesTheBlob() throws Exception {
    byte[] content = randomBytes(32 * 1024 * 1024, 12);
    FakeBlob blob = warm(content);
    serve(blob);

    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setReceiveBufferSize(16 * 1024);
      OutputStream out = socket.getOutputStream();
      out.write(
          "GET /blob HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      byte[] first = socket.getInputStream().readNBytes(1000);
      assertThat(new String(first, StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200");
    }

    assertThat(blob.closed.await(10, TimeUnit.SECONDS)).as("blob closed after hang-up").isTrue();
  }

  @Test
  void fill_clientHangingUp_closesTheBlob() throws Exception {
    CountDownLatch streamClosed = new CountDownLatch(1);
    FakeBlob blob =
        FakeBlob.filling(
            Digest.sha256(new byte[1]),
            -1,
            offset ->
                new InputStream() {
                  private long produced;

                  @Override
                  public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                  }

                  @Override
                  public int read(byte[] b, int off, int len) throws IOException {
                    produced += len;
                    if (produced > 1L << 30) {
                      throw new IOException("the client never went away");
                    }
                    return len;
                  }

                  @Override
                  public void close() {
                    streamClosed.countDown();
                  }
                });
    serve(blob);

    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          "GET /blob HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      byte[] first = socket.getInputStream().readNBytes(1000);
      assertThat(new String(first, StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200");
    }

    assertThat(blob.closed.await(10, TimeUnit.SECONDS)).as("blob closed after hang-up").isTrue();
    assertThat(streamClosed.await(10, TimeUnit.SECONDS)).as("stream closed after hang-up").isTrue();
  }

  private static InputStream slice(byte[] content, long offset) {
    return new ByteArrayInputStream(content, (int) offset, content.length - (int) offset);
  }

  private static InputStream failingAfter(byte[] content, int good) {
    return new InputStream() {
      private int position;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (position >= good) {
          throw new IOException("upstream connection reset");
        }
        int n = Math.min(len, good - position);
        System.arraycopy(content, position, b, off, n);
        position += n;
        return n;
      }
    };
  }
}
