/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import static dev.cacheproxy.core.internal.upstream.UpstreamFixtures.registry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.DigestMismatchException;
import dev.cacheproxy.core.Manifest;
import dev.cacheproxy.core.NotFoundException;
import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.ProxyException;
import dev.cacheproxy.core.Tag;
import dev.cacheproxy.core.UpstreamException;
import dev.cacheproxy.rules.Registry;
import dev.cacheproxy.rules.RepositoryName;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Manifests, redirects and the error mapping of {@link RegistryClient}. */
class RegistryClientTest {

  private static final RepositoryName NGINX = RepositoryName.of("library/nginx");
  private static final String MANIFEST =
      "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}";
  private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

  @StartStop private final MockWebServer server = new MockWebServer();

  private final RegistryClient client = UpstreamFixtures.client();

  @AfterEach
  void closeClient() {
    client.close();
  }

  @Test
  void getManifest_tag_returnsContentMediaTypeAndDigestHeader() throws Exception {
    Digest digest = Digest.sha256(MANIFEST.getBytes(StandardCharsets.UTF_8));
    server.enqueue(
        new MockResponse.Builder()
            .addHeader("Content-Type", OCI_MANIFEST + "; charset=utf-8")
            .addHeader("Docker-Content-Digest", digest.toString())
            .body(MANIFEST)
            .build());

    UpstreamManifest m =
        client.getManifest(registry(server), NGINX, Tag.parse("1.27"), List.of(), null);

    assertThat(new String(m.content(), StandardCharsets.UTF_8)).isEqualTo(MANIFEST);
    assertThat(m.mediaType()).isEqualTo(OCI_MANIFEST);
    assertThat(m.digestHeader()).isEqualTo(digest);
    RecordedRequest request = server.takeRequest();
    assertThat(request.getMethod()).isEqualTo("GET");
    assertThat(request.getTarget()).isEqualTo("/v2/library/nginx/manifests/1.27");
    assertThat(request.getHeaders().get("Accept"))
        .contains(
            "application/vnd.oci.image.index.v1+json",
            OCI_MANIFEST,
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.docker.distribution.manifest.v2+json");
    assertThat(request.getHeaders().get("User-Agent")).isEqualTo("test-agent/1");
    assertThat(request.getHeaders().get("Authorization")).isNull();
  }

  @Test
  void getManifest_acceptGiven_sentAsGiven() throws Exception {
    server.enqueue(
        new MockResponse.Builder().addHeader("Content-Type", OCI_MANIFEST).body(MANIFEST).build());

    client.getManifest(
        registry(server), NGINX, Tag.parse("latest"), List.of(OCI_MANIFEST, "text/x-other"), null);

    assertThat(server.takeRequest().getHeaders().values("Accept"))
        .containsExactly(OCI_MANIFEST + ", text/x-other");
  }

  @Test
  void getManifest_noContentType_usesMediaTypeField() {
    server.enqueue(new MockResponse.Builder().removeHeader("Content-Type").body(MANIFEST).build());

    UpstreamManifest m =
        client.getManifest(registry(server), NGINX, Tag.parse("latest"), List.of(), null);

    assertThat(m.mediaType()).isEqualTo(OCI_MANIFEST);
  }

  @Test
  void getManifest_noContentTypeNorField_octetStream() {
    server.enqueue(new MockResponse.Builder().body("{\"schemaVersion\":2}").build());

    UpstreamManifest m =
        client.getManifest(registry(server), NGINX, Tag.parse("latest"), List.of(), null);

    assertThat(m.mediaType()).isEqualTo("application/octet-stream");
    assertThat(m.digestHeader()).isNull();
  }

  @Test
  void getManifest_byDigest_contentMatches_returned() throws Exception {
    Digest digest = Digest.sha256(MANIFEST.getBytes(StandardCharsets.UTF_8));
    server.enqueue(
        new MockResponse.Builder().addHeader("Content-Type", OCI_MANIFEST).body(MANIFEST).build());

    UpstreamManifest m = client.getManifest(registry(server), NGINX, digest, List.of(), null);

    assertThat(digest.matches(m.content())).isTrue();
    assertThat(server.takeRequest().getTarget()).isEqualTo("/v2/library/nginx/manifests/" + digest);
  }

  @Test
  void getManifest_byDigest_contentDiffers_digestMismatch() {
    Digest wanted = Digest.sha256("something else".getBytes(StandardCharsets.UTF_8));
    server.enqueue(
        new MockResponse.Builder().addHeader("Content-Type", OCI_MANIFEST).body(MANIFEST).build());

    assertThatThrownBy(() -> client.getManifest(registry(server), NGINX, wanted, List.of(), null))
        .isInstanceOf(DigestMismatchException.class)
        .hasMessageContaining("library/nginx@" + wanted)
        .hasMessageContaining(Digest.sha256(MANIFEST.getBytes(StandardCharsets.UTF_8)).toString());
  }

  @Test
  void getManifest_dockerContentDigestDiffers_digestMismatch() {
    Digest other = Digest.sha256("other".getBytes(StandardCharsets.UTF_8));
    server.enqueue(
        new MockResponse.Builder()
            .addHeader("Content-Type", OCI_MANIFEST)
            .addHeader("Docker-Content-Digest", other.toString())
            .body(MANIFEST)
            .build());

    assertThatThrownBy(
            () -> client.getManifest(registry(server), NGINX, Tag.parse("1"), List.of(), null))
        .isInstanceOf(DigestMismatchException.class)
        .hasMessageContaining(other.toString());
  }

  @Test
  void getManifest_sha512DigestHeader_checkedWithSha512() {
    byte[] bytes = MANIFEST.getBytes(StandardCharsets.UTF_8);
    Digest sha512 = new Digest("sha512", "0".repeat(128)).of(bytes);
    server.enqueue(
        new MockResponse.Builder()
            .addHeader("Content-Type", OCI_MANIFEST)
            .addHeader("Docker-Content-Digest", sha512.toString())
            .body(MANIFEST)
            .build());

    UpstreamManifest m =
        client.getManifest(registry(server), NGINX, Tag.parse("1"), List.of(), null);

    assertThat(m.digestHeader()).isEqualTo(sha512);
  }

  @Test
  void getManifest_contentLengthOver4MiB_refusedAsManifestInvalid() {
    server.enqueue(
        new MockResponse.Builder()
            .addHeader("Content-Type", OCI_MANIFEST)
            .body(bigBody(Manifest.MAX_SIZE + 1))
            .build());

    assertThatThrownBy(
            () -> client.getManifest(registry(server), NGINX, Tag.parse("big"), List.of(), null))
        .isInstanceOf(ProxyException.class)
        .extracting(e -> ((ProxyException) e).code())
        .isEqualTo(OciErrorCode.MANIFEST_INVALID);
  }

  @Test
  void getManifest_chunkedBodyOver4MiB_refusedAsManifestInvalid() {
    server.enqueue(
        new MockResponse.Builder()
            .addHeader("Content-Type", OCI_MANIFEST)
            .chunkedBody(bigBody(Manifest.MAX_SIZE + 1), 64 * 1024)
            .build());

    assertThatThrownBy(
            () -> client.getManifest(registry(server), NGINX, Tag.parse("big"), List.of(), null))
        .isInstanceOf(ProxyException.class)
        .hasMessageContaining("larger than " + Manifest.MAX_SIZE)
        .extracting(e -> ((ProxyException) e).code())
        .isEqualTo(OciErrorCode.MANIFEST_INVALID);
  }

  @Test
  void getManifest_exactly4MiB_accepted() {
    server.enqueue(new MockResponse.Builder().body(bigBody(Manifest.MAX_SIZE)).build());

    UpstreamManifest m =
        client.getManifest(registry(server), NGINX, Tag.parse("big"), List.of(), null);

    assertThat(m.content()).hasSize(Manifest.MAX_SIZE);
  }

  @Test
  void getManifest_404WithOciErrorBody_notFoundWithUpstreamCode() {
    server.enqueue(
        new MockResponse.Builder()
            .code(404)
            .addHeader("Content-Type", "application/json")
            .body(
                "{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"repository name not known"
                    + " to registry\",\"detail\":{\"name\":\"library/nginx\"}}]}")
            .build());

    assertThatThrownBy(
            () -> client.getManifest(registry(server), NGINX, Tag.parse("1.27"), List.of(), null))
        .isInstanceOf(NotFoundException.class)
        .hasMessage(
            registry(server).host()
                + "/library/nginx:1.27: repository unknown upstream (repository name not known to"
                + " registry)")
        .extracting(e -> ((ProxyException) e).code())
        .isEqualTo(OciErrorCode.NAME_UNKNOWN);
  }

  @Test
  void getManifest_404WithManifestUnknownBody_messageNamesManifest() {
    server.enqueue(
        new MockResponse.Builder()
            .code(404)
            .body("{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}")
            .build());

    assertThatThrownBy(
            () -> client.getManifest(registry(server), NGINX, Tag.parse("9.9"), List.of(), null))
        .isInstanceOf(NotFoundException.class)
        .hasMessage(
            registry(server).host()
                + "/library/nginx:9.9: manifest unknown upstream (manifest unknown)");
  }

  @Test
  void getManifest_404WithOtherCode_manifestUnknown() {
    server.enqueue(
        new MockResponse.Builder()
            .code(404)
            .body("{\"errors\":[{\"code\":\"DENIED\",\"message\":\"no\"}]}")
            .build());

    assertThatThrownBy(
            () -> client.getManifest(registry(server), NGINX, Tag.parse("1"), List.of(), null))
        .isInstanceOf(NotFoundException.class)
        .extracting(e -> ((ProxyException) e).code())
        .isEqualTo(OciErrorCode.MANIFEST_UNKNOWN);
  }

  @Test
  void headManifest_404WithoutBody_manifestUnknown() {
    server.enqueue(new MockResponse.Builder().code(404).build());

    assertThatThrownBy(
            () -> client.headManifest(registry(server), NGINX, Tag.parse("1"), List.of(), null))
        .isInstanceOf(NotFoundException.class)
        .hasMessageEndingWith("/library/nginx:1: manifest unknown upstream")
        .extracting(e -> ((ProxyException) e).code())
        .isEqualTo(OciErrorCode.MANIFEST_UNKNOWN);
  }

  @Test
  void headManifest_returnsDigestMediaTypeAndSize() throws Exception {
    Digest digest = Digest.sha256(MANIFEST.getBytes(StandardCharsets.UTF_8));
    server.enqueue(
        new MockResponse.Builder()
            .addHeader("Content-Type", OCI_MANIFEST)
            .addHeader("Docker-Content-Digest", digest.toString())
            .setHeader("Content-Length", 1234)
            .build());

    ManifestHead head =
        client.headManifest(registry(server), NGINX, Tag.parse("1"), List.of(), null);

    assertThat(head).isEqualTo(new ManifestHead(digest, OCI_MANIFEST, 1234));
    assertThat(server.takeRequest().getMethod()).isEqualTo("HEAD");
  }

  @Test
  void getManifest_429WithRetryAfterSeconds_tooManyRequests() {
    server.enqueue(
        new MockResponse.Builder()
            .code(429)
            .addHeader("Retry-After", "120")
            .body("{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"pull rate limit\"}]}")
            .build());

    UpstreamException e = upstreamFailure();

    assertThat(e.code()).isEqualTo(OciErrorCode.TOOMANYREQUESTS);
    assertThat(e.upstreamStatus()).isEqualTo(429);
    assertThat(e.retryAfter()).contains(Duration.ofSeconds(120));
    assertThat(e).hasMessageContaining("pull rate limit");
  }

  @Test
  void getManifest_429WithRetryAfterDate_durationFromClock() {
    server.enqueue(
        new MockResponse.Builder()
            .code(429)
            .addHeader("Retry-After", "Wed, 01 Jan 2025 00:01:30 GMT")
            .build());

    assertThat(upstreamFailure().retryAfter()).contains(Duration.ofSeconds(90));
  }

  @Test
  void getManifest_500_unavailable() {
    server.enqueue(new MockResponse.Builder().code(500).body("oops").build());

    UpstreamException e = upstreamFailure();

    assertThat(e.code()).isEqualTo(OciErrorCode.UNAVAILABLE);
    assertThat(e.upstreamStatus()).isEqualTo(500);
  }

  @Test
  void getManifest_503WithRetryAfter_unavailableKeepsRetryAfter() {
    server.enqueue(new MockResponse.Builder().code(503).addHeader("Retry-After", "7").build());

    UpstreamException e = upstreamFailure();

    assertThat(e.code()).isEqualTo(OciErrorCode.UNAVAILABLE);
    assertThat(e.upstreamStatus()).isEqualTo(503);
    assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
  }

  @Test
  void getManifest_unexpectedStatus_unknown() {
    server.enqueue(new MockResponse.Builder().code(400).build());

    UpstreamException e = upstreamFailure();

    assertThat(e.code()).isEqualTo(OciErrorCode.UNKNOWN);
    assertThat(e.upstreamStatus()).isEqualTo(400);
  }

  @Test
  void getManifest_403_deniedWithCredentialsHint() {
    server.enqueue(new MockResponse.Builder().code(403).build());

    UpstreamException e = upstreamFailure();

    assertThat(e.code()).isEqualTo(OciErrorCode.DENIED);
    assertThat(e.upstreamStatus()).isEqualTo(403);
    assertThat(e).hasMessageContaining("refused access").hasMessageContaining("credentials");
  }

  @Test
  void getManifest_connectionRefused_unavailableStatus0() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = socket.getLocalPort();
    }
    Registry closed = new Registry("127.0.0.1:" + port, URI.create("http://127.0.0.1:" + port));

    assertThatThrownBy(() -> client.getManifest(closed, NGINX, Tag.parse("1"), List.of(), null))
        .isInstanceOfSatisfying(
            UpstreamException.class,
            e -> {
              assertThat(e.code()).isEqualTo(OciErrorCode.UNAVAILABLE);
              assertThat(e.upstreamStatus()).isZero();
              assertThat(e.getCause()).isNotNull();
            })
        .hasMessageStartingWith("127.0.0.1:" + port + " unreachable: ");
  }

  @Test
  void getManifest_noResponseHeadWithinResponseTimeout_unavailableStatus0() {
    server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());

    UpstreamException e = upstreamFailure();

    assertThat(e.code()).isEqualTo(OciErrorCode.UNAVAILABLE);
    assertThat(e.upstreamStatus()).isZero();
  }

  @Test
  void getManifest_redirects_followedUpToFiveHops() throws Exception {
    for (int i = 0; i < 5; i++) {
      server.enqueue(
          new MockResponse.Builder().code(307).addHeader("Location", "/hop" + i).build());
    }
    server.enqueue(new MockResponse.Builder().body(MANIFEST).build());

    UpstreamManifest m =
        client.getManifest(registry(server), NGINX, Tag.parse("1"), List.of(), null);

    assertThat(m.content()).hasSize(MANIFEST.length());
    server.takeRequest();
    assertThat(server.takeRequest().getTarget()).isEqualTo("/hop0");
  }

  @Test
  void getManifest_sixRedirects_unknown() {
    for (int i = 0; i < 6; i++) {
      server.enqueue(
          new MockResponse.Builder().code(302).addHeader("Location", "/hop" + i).build());
    }

    UpstreamException e = upstreamFailure();

    assertThat(e.code()).isEqualTo(OciErrorCode.UNKNOWN);
    assertThat(e).hasMessageContaining("redirects");
    assertThat(server.getRequestCount()).isEqualTo(6);
  }

  private UpstreamException upstreamFailure() {
    try {
      client.getManifest(registry(server), NGINX, Tag.parse("1.27"), List.of(), null);
    } catch (UpstreamException e) {
      return e;
    }
    throw new AssertionError("expected an UpstreamException");
  }

  private static Buffer bigBody(int size) {
    byte[] bytes = new byte[size];
    Arrays.fill(bytes, (byte) 'x');
    return new Buffer().write(bytes);
  }
}
