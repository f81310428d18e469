/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.rules.RepositoryName;
import dev.cacheproxy.rules.Rule;
import dev.cacheproxy.rules.RulePolicy;
import dev.cacheproxy.rules.RuleSet;
import dev.cacheproxy.rules.Source;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A blob whose upstream connection breaks mid-body: the fill resumes it with a ranged request. */
@Timeout(60)
class CacheProxyBlobResumeTest {

  private static final RepositoryName APP = RepositoryName.of("up/team/app");
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

  @StartStop private final MockWebServer upstream = new MockWebServer();
  @TempDir Path data;

  private final byte[] content = random(1024 * 1024);
  private final Digest digest = Digest.sha256(content);
  private final BreakingRegistry registry = new BreakingRegistry();
  private CacheProxy proxy;

  @BeforeEach
  void setUp() {
    upstream.setDispatcher(registry);
    String source = "http://127.0.0.1:" + upstream.getPort() + "/*";
    Rule rule =
        new Rule(
            "up", "up/*", Source.parse(source), null, Duration.ofMinutes(5), RulePolicy.DEFAULT);
    // A short idle timeout: a scripted upstream that breaks mid-body leaves its socket open.
    UpstreamSettings settings =
        new UpstreamSettings(
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(2), 64, 256, "test");
    assertThat(settings.blobResumeAttempts()).isEqualTo(5);
    proxy =
        CacheProxy.builder()
            .rules(RuleSet.of(List.of(rule)))
            .dataDirectory(data)
            .upstream(settings)
            .build();
  }

  @AfterEach
  void tearDown() {
    proxy.close();
  }

  @Test
  void blob_upstreamDisconnectsMidBody_fillResumesWithRangeAndClientGetsTheWholeBlob()
      throws Exception {
    try (BlobStream blob = proxy.blob(APP, digest);
        InputStream in = blob.open(0)) {
      assertThat(blob.status()).isEqualTo(CacheStatus.MISS);
      assertThat(blob.size()).isEqualTo(content.length);
      assertThat(in.readAllBytes()).isEqualTo(content);
    }
    // Waits for the fill's commit if it is still making the blob durable: then a hit.
    try (BlobStream again = proxy.blob(APP, digest);
        InputStream in = again.open(0)) {
      assertThat(again.status()).isEqualTo(CacheStatus.HIT);
      assertThat(in.readAllBytes()).isEqualTo(content);
    }

    assertThat(registry.blobGets).hasSize(2);
    assertThat(registry.blobGets.get(0).getHeaders().get("Range")).isNull();
    String range = registry.blobGets.get(1).getHeaders().get("Range");
    assertThat(range).isNotNull();
    Matcher m = RANGE.matcher(range);
    assertThat(m.matches()).as("Range %s", range).isTrue();
    assertThat(Long.parseLong(m.group(1))).isBetween(1L, content.length - 1L);
    assertThat(blobFile()).exists().hasSize(content.length);
  }

  private Path blobFile() {
    return data.resolve("blobs")
        .resolve(digest.algorithm())
        .resolve(digest.hex().substring(0, 2))
        .resolve(digest.hex());
  }

  private static byte[] random(int length) {
    byte[] b = new byte[length];
    new Random(0x2E5L).nextBytes(b);
    return b;
  }

  /**
   * A registry with one blob whose whole-blob GET disconnects halfway through the body, and which
   * answers a {@code Range: bytes=N-} GET with a 206.
   */
  private final class BreakingRegistry extends Dispatcher {
    final List<RecordedRequest> blobGets = new CopyOnWriteArrayList<>();

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String path = request.getUrl().encodedPath();
      if (path.equals("/v2/")) {
        return new MockResponse.Builder().body("{}").build();
      }
      if (!path.equals("/v2/team/app/blobs/" + digest) || !request.getMethod().equals("GET")) {
        return new MockResponse.Builder().code(404).build();
      }
      blobGets.add(request);
      MockResponse.Builder r =
          new MockResponse.Builder()
              .addHeader("Docker-Content-Digest", digest.toString())
              .addHeader("ETag", "\"" + digest + "\"");
      String range = request.getHeaders().get("Range");
      if (range == null) {
        return r.body(new okio.Buffer().write(content))
            .onResponseBody(new SocketEffect.CloseSocket())
            .build();
      }
      Matcher m = RANGE.matcher(range);
      if (!m.matches()) {
        return new MockResponse.Builder().code(416).build();
      }
      int from = Integer.parseInt(m.group(1));
      return r.code(206)
          .addHeader(
              "Content-Range", "bytes " + from + "-" + (content.length - 1) + "/" + content.length)
          .body(new okio.Buffer().write(content, from, content.length - from))
          .build();
    }
  }
}
