/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import static dev.cacheproxy.core.internal.upstream.UpstreamFixtures.bearerChallenge;
import static dev.cacheproxy.core.internal.upstream.UpstreamFixtures.registry;
import static dev.cacheproxy.core.internal.upstream.UpstreamFixtures.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.NotFoundException;
import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.ProxyException;
import dev.cacheproxy.core.UpstreamException;
import dev.cacheproxy.core.UpstreamSettings;
import dev.cacheproxy.rules.RepositoryName;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Blob GETs and HEADs of {@link RegistryClient}: ranges, redirects, streaming, timeouts. */
class RegistryClientBlobTest {

  private static final RepositoryName NGINX = RepositoryName.of("library/nginx");
  private static final String SCOPE = "repository:library/nginx:pull";
  private static final String CONTENT = "0123456789abcdefghij";
  private static final Digest DIGEST = Digest.sha256(CONTENT.getBytes(StandardCharsets.UTF_8));

  @StartStop private final MockWebServer server = new MockWebServer();
  @StartStop private final MockWebServer auth = new MockWebServer();
  @StartStop private final MockWebServer storage = new MockWebServer();

  private final RegistryClient client = UpstreamFixtures.client();

  @AfterEach
  void closeClient() {
    client.close();
  }

  @Test
  void getBlob_whole_streamsBodyWithItsLength() throws Exception {
    server.enqueue(new MockResponse.Builder().body(CONTENT).build());

    try (UpstreamBlob blob = client.getBlob(registry(server), NGINX, DIGEST, 0, null)) {
      assertThat(blob.offset()).isZero();
      assertThat(blob.totalSize()).isEqualTo(CONTENT.length());
      assertThat(new String(blob.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(CONTENT);
    }
    RecordedRequest request = server.takeRequest();
    assertThat(request.getTarget()).isEqualTo("/v2/library/nginx/blobs/" + DIGEST);
    assertThat(request.getHeaders().get("Range")).isNull();
  }

  @Test
  void getBlob_offset_sendsRangeAndReads206ContentRange() throws Exception {
    server.enqueue(
        new MockResponse.Builder()
            .code(206)
            .addHeader("Content-Range", "bytes 5-19/20")
            .body(CONTENT.substring(5))
            .build());

    try (UpstreamBlob blob = client.getBlob(registry(server), NGINX, DIGEST, 5, null)) {
      assertThat(blob.offset()).isEqualTo(5);
      assertThat(blob.totalSize()).isEqualTo(20);
      assertThat(new String(blob.body().readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo(CONTENT.substring(5));
    }
    assertThat(server.takeRequest().getHeaders().get("Range")).isEqualTo("bytes=5-");
  }

  @Test
  void getBlob_bodyCutMidway_resumesWithRangeAndIfRangeFromTheBytesRead() throws Exception {
    String whole = CONTENT.repeat(4096);
    server.enqueue(
        new MockResponse.Builder()
            .addHeader("ETag", "\"v1\"")
            .body(whole)
            .onResponseBody(new SocketEffect.CloseSocket())
            .build());

    ByteArrayOutputStream received = new ByteArrayOutputStream();
    String etag;
    try (UpstreamBlob blob = client.getBlob(registry(server), NGINX, DIGEST, 0, null)) {
      assertThat(blob.totalSize()).isEqualTo(whole.length());
      etag = blob.etag().orElseThrow();
      assertThatThrownBy(() -> blob.body().transferTo(received)).isInstanceOf(IOException.class);
    }
    int offset = received.size();
    assertThat(offset).isBetween(1, whole.length() - 1);
    assertThat(etag).isEqualTo("\"v1\"");

    server.enqueue(
        new MockResponse.Builder()
            .code(206)
            .addHeader("ETag", "\"v1\"")
            .addHeader(
                "Content-Range",
                "bytes " + offset + "-" + (whole.length() - 1) + "/" + whole.length())
            .body(whole.substring(offset))
            .build());
    try (UpstreamBlob rest = client.getBlob(registry(server), NGINX, DIGEST, offset, etag, null)) {
      assertThat(rest.offset()).isEqualTo(offset);
      assertThat(rest.totalSize()).isEqualTo(whole.length());
      assertThat(rest.etag()).contains("\"v1\"");
      rest.body().transferTo(received);
    }
    assertThat(received.toString(StandardCharsets.UTF_8)).isEqualTo(whole);

    RecordedRequest first = server.takeRequest();
    assertThat(first.getHeaders().get("Range")).isNull();
    assertThat(first.getHeaders().get("If-Range")).isNull();
    RecordedRequest resumed = server.takeRequest();
    assertThat(resumed.getTarget()).isEqualTo("/v2/library/nginx/blobs/" + DIGEST);
    assertThat(resumed.getHeaders().get("Range")).isEqualTo("bytes=" + offset + "-");
    assertThat(resumed.getHeaders().get("If-Range")).isEqualTo("\"v1\"");
  }

  @Test
  void getBlob_weakEtag_isNotSentAsIfRange() throws Exception {
    server.enqueue(
        new MockResponse.Builder()
            .code(206)
            .addHeader("ETag", "W/\"v1\"")
            .addHeader("Content-Range", "bytes 5-19/20")
            .body(CONTENT.substring(5))
            .build());

    try (UpstreamBlob blob = client.getBlob(registry(server), NGINX, DIGEST, 5, "W/\"v1\"", null)) {
      assertThat(blob.etag()).contains("W/\"v1\"");
    }
    RecordedRequest request = server.takeRequest();
    assertThat(request.getHeaders().get("Range")).isEqualTo("bytes=5-");
    assertThat(request.getHeaders().get("If-Range")).isNull();
  }

  @Test
  void getBlob_offsetButUpstreamSendsWhole200_offsetZero() throws Exception {
    server.enqueue(new MockResponse.Builder().body(CONTENT).build());

    try (UpstreamBlob blob = client.getBlob(registry(server), NGINX, DIGEST, 7, null)) {
      assertThat(blob.offset()).isZero();
      assertThat(blob.totalSize()).isEqualTo(20);
      assertThat(blob.body().readAllBytes()).hasSize(20);
    }
  }

  @Test
  void getBlob_206WithUnknownTotal_totalMinusOne() throws Exception {
    server.enqueue(
        new MockResponse.Builder()
            .code(206)
            .addHeader("Content-Range", "bytes 10-19/*")
            .body(CONTENT.substring(10))
            .build());

    try (UpstreamBlob blob = client.getBlob(registry(server), NGINX, DIGEST, 10, null)) {
      assertThat(blob.offset()).isEqualTo(10);
      assertThat(blob.totalSize()).isEqualTo(-1);
    }
  }

  @Test
  void getBlob_206WithoutContentRange_unknown() {
    server.enqueue(new MockResponse.Builder().code(206).body(CONTENT).build());

    assertThatThrownBy(() -> client.getBlob(registry(server), NGINX, DIGEST, 3, null))
        .isInstanceOfSatisfying(
            UpstreamException.class, e -> assertThat(e.code()).isEqualTo(OciErrorCode.UNKNOWN));
  }

  @Test
  void getBlob_416_rangeInvalid() {
    server.enqueue(
        new MockResponse.Builder().code(416).addHeader("Content-Range", "bytes */20").build());

    assertThatThrownBy(() -> client.getBlob(registry(server), NGINX, DIGEST, 99, null))
        .isInstanceOfSatisfying(
            UpstreamException.class,
            e -> {
              assertThat(e.code()).isEqualTo(OciErrorCode.RANGE_INVALID);
              assertThat(e.upstreamStatus()).isEqualTo(416);
            });
  }

  @Test
  void getBlob_404_blobUnknownNamingTheDigest() {
    server.enqueue(
        new MockResponse.Builder()
            .code(404)
            .body(
                "{\"errors\":[{\"code\":\"BLOB_UNKNOWN\",\"message\":\"blob unknown to"
                    + " registry\"}]}")
            .build());

    assertThatThrownBy(() -> client.getBlob(registry(server), NGINX, DIGEST, 0, null))
        .isInstanceOf(NotFoundException.class)
        .hasMessage(
            registry(server).host()
                + "/library/nginx@"
                + DIGEST
                + ": blob unknown upstream (blob unknown to registry)")
        .extracting(e -> ((ProxyException) e).code())
        .isEqualTo(OciErrorCode.BLOB_UNKNOWN);
  }

  @Test
  void getBlob_redirectToOtherHost_doesNotCarryAuthorization() throws Exception {
    server.enqueue(bearerChallenge(auth, SCOPE));
    String signed = "http://127.0.0.1:" + storage.getPort() + "/blobs/abc?X-Signature=secret";
    server.enqueue(new MockResponse.Builder().code(307).addHeader("Location", signed).build());
    auth.enqueue(token("t0k3n", 300));
    storage.enqueue(new MockResponse.Builder().body(CONTENT).build());

    try (UpstreamBlob blob = client.getBlob(registry(server), NGINX, DIGEST, 0, null)) {
      assertThat(blob.body().readAllBytes()).hasSize(CONTENT.length());
    }

    server.takeRequest();
    assertThat(server.takeRequest().getHeaders().get("Authorization")).isEqualTo("Bearer t0k3n");
    RecordedRequest atStorage = storage.takeRequest();
    assertThat(atStorage.getTarget()).isEqualTo("/blobs/abc?X-Signature=secret");
    assertThat(atStorage.getHeaders().get("Authorization")).isNull();
  }

  @Test
  void getBlob_relativeRedirectOnSameHost_keepsAuthorization() throws Exception {
    server.enqueue(bearerChallenge(auth, SCOPE));
    server.enqueue(
        new MockResponse.Builder().code(302).addHeader("Location", "/storage/x").build());
    server.enqueue(new MockResponse.Builder().body(CONTENT).build());
    auth.enqueue(token("t0k3n", 300));

    try (UpstreamBlob blob = client.getBlob(registry(server), NGINX, DIGEST, 0, null)) {
      assertThat(blob.body().readAllBytes()).hasSize(CONTENT.length());
    }

    server.takeRequest();
    server.takeRequest();
    RecordedRequest redirected = server.takeRequest();
    assertThat(redirected.getTarget()).isEqualTo("/storage/x");
    assertThat(redirected.getHeaders().get("Authorization")).isEqualTo("Bearer t0k3n");
  }

  @Test
  void getBlob_redirectedWithOffset_rangeFollowsTheRedirect() throws Exception {
    String target = "http://127.0.0.1:" + storage.getPort() + "/b";
    server.enqueue(new MockResponse.Builder().code(307).addHeader("Location", target).build());
    storage.enqueue(
        new MockResponse.Builder()
            .code(206)
            .addHeader("Content-Range", "bytes 15-19/20")
            .body(CONTENT.substring(15))
            .build());

    try (UpstreamBlob blob = client.getBlob(registry(server), NGINX, DIGEST, 15, null)) {
      assertThat(blob.offset()).isEqualTo(15);
    }
    assertThat(storage.takeRequest().getHeaders().get("Range")).isEqualTo("bytes=15-");
  }

  @Test
  void getBlob_bodyStallsLongerThanIdleTimeout_readThrowsIOException() throws Exception {
    // Declares 1000 bytes, sends 10, then keeps the connection open and silent.
    server.enqueue(
        new MockResponse.Builder()
            .body(CONTENT.substring(0, 10))
            .setHeader("Content-Length", 1000)
            .build());
    UpstreamSettings slowHeadersFastIdle =
        new UpstreamSettings(
            Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofMillis(300), 4, 16, "t/1");

    try (RegistryClient patient = new RegistryClient(slowHeadersFastIdle);
        UpstreamBlob blob = patient.getBlob(registry(server), NGINX, DIGEST, 0, null)) {
      InputStream body = blob.body();
      assertThat(body.readNBytes(10)).hasSize(10);
      // The idle timeout (300 ms), not the 30 s response timeout, governs the body.
      assertTimeoutPreemptively(
          Duration.ofSeconds(10),
          () -> assertThatThrownBy(body::read).isInstanceOf(SocketTimeoutException.class));
    }
  }

  @Test
  void getBlob_responseHeadSlowerThanIdleTimeout_waitsForTheResponseTimeout() throws Exception {
    // Idle timeout 500 ms, response timeout 2 s: a head after 1 s is in time.
    server.enqueue(
        new MockResponse.Builder().headersDelay(1, TimeUnit.SECONDS).body(CONTENT).build());

    try (UpstreamBlob blob = client.getBlob(registry(server), NGINX, DIGEST, 0, null)) {
      assertThat(blob.body().readAllBytes()).hasSize(CONTENT.length());
    }
  }

  @Test
  void getBlob_closedBeforeTheEnd_connectionIsNotReused() throws Exception {
    server.enqueue(
        new MockResponse.Builder()
            .body(CONTENT.substring(0, 10))
            .setHeader("Content-Length", 1000)
            .build());
    server.enqueue(new MockResponse.Builder().body(CONTENT).build());

    try (UpstreamBlob blob = client.getBlob(registry(server), NGINX, DIGEST, 0, null)) {
      assertThat(blob.body().read()).isEqualTo('0');
    }
    try (UpstreamBlob blob = client.getBlob(registry(server), NGINX, DIGEST, 0, null)) {
      assertThat(blob.body().readAllBytes()).hasSize(CONTENT.length());
    }

    assertThat(server.takeRequest().getExchangeIndex()).isZero();
    assertThat(server.takeRequest().getExchangeIndex()).isZero();
  }

  @Test
  void getBlob_readToTheEnd_connectionIsReused() throws Exception {
    server.enqueue(new MockResponse.Builder().body(CONTENT).build());
    server.enqueue(new MockResponse.Builder().body(CONTENT).build());

    for (int i = 0; i < 2; i++) {
      try (UpstreamBlob blob = client.getBlob(registry(server), NGINX, DIGEST, 0, null)) {
        assertThat(blob.body().readAllBytes()).hasSize(CONTENT.length());
      }
    }

    assertThat(server.takeRequest().getExchangeIndex()).isZero();
    assertThat(server.takeRequest().getExchangeIndex()).isEqualTo(1);
  }

  @Test
  void headBlob_returnsContentLength() throws Exception {
    server.enqueue(new MockResponse.Builder().setHeader("Content-Length", 31337).build());

    assertThat(client.headBlob(registry(server), NGINX, DIGEST, null)).isEqualTo(31337);
    assertThat(server.takeRequest().getMethod()).isEqualTo("HEAD");
  }

  @Test
  void headBlob_404_blobUnknown() {
    server.enqueue(new MockResponse.Builder().code(404).build());

    assertThatThrownBy(() -> client.headBlob(registry(server), NGINX, DIGEST, null))
        .isInstanceOf(NotFoundException.class)
        .extracting(e -> ((ProxyException) e).code())
        .isEqualTo(OciErrorCode.BLOB_UNKNOWN);
  }
}
