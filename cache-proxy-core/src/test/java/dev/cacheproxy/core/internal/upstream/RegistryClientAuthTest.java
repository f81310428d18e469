/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import static dev.cacheproxy.core.internal.upstream.UpstreamFixtures.bearerChallenge;
import static dev.cacheproxy.core.internal.upstream.UpstreamFixtures.registry;
import static dev.cacheproxy.core.internal.upstream.UpstreamFixtures.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.Tag;
import dev.cacheproxy.core.UpstreamException;
import dev.cacheproxy.core.internal.upstream.UpstreamFixtures.FakeTicker;
import dev.cacheproxy.core.spi.Credentials;
import dev.cacheproxy.rules.RepositoryName;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Docker token flow and Basic authentication of {@link RegistryClient}. */
class RegistryClientAuthTest {

  private static final RepositoryName NGINX = RepositoryName.of("library/nginx");
  private static final String SCOPE = "repository:library/nginx:pull";
  private static final String MANIFEST = "{\"schemaVersion\":2}";
  private static final Credentials ALICE = new Credentials("alice", "s3cret:pw");

  @StartStop private final MockWebServer server = new MockWebServer();
  @StartStop private final MockWebServer auth = new MockWebServer();

  private final FakeTicker ticker = new FakeTicker();
  private final RegistryClient client = UpstreamFixtures.client(ticker);

  @AfterEach
  void closeClient() {
    client.close();
  }

  @Test
  void getManifest_bearerChallenge_fetchesTokenOnceAndRetries() throws Exception {
    server.enqueue(bearerChallenge(auth, SCOPE));
    server.enqueue(manifest());
    server.enqueue(manifest());
    auth.enqueue(token("t0k3n", 300));

    pull(null);
    pull(null);

    assertThat(auth.getRequestCount()).isEqualTo(1);
    RecordedRequest tokenRequest = auth.takeRequest();
    assertThat(tokenRequest.getUrl().encodedPath()).isEqualTo("/token");
    assertThat(tokenRequest.getUrl().queryParameter("service")).isEqualTo("registry.test");
    assertThat(tokenRequest.getUrl().queryParameter("scope")).isEqualTo(SCOPE);
    assertThat(tokenRequest.getHeaders().get("Authorization")).isNull();
    assertThat(server.takeRequest().getHeaders().get("Authorization")).isNull();
    assertThat(server.takeRequest().getHeaders().get("Authorization")).isEqualTo("Bearer t0k3n");
    assertThat(server.takeRequest().getHeaders().get("Authorization")).isEqualTo("Bearer t0k3n");
    assertThat(server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void getManifest_bearerWithCredentials_tokenRequestCarriesBasicAuth() throws Exception {
    server.enqueue(bearerChallenge(auth, SCOPE));
    server.enqueue(manifest());
    auth.enqueue(
        new MockResponse.Builder().body("{\"access_token\":\"acc3ss\",\"expires_in\":60}").build());

    pull(ALICE);

    String basic =
        Base64.getEncoder().encodeToString("alice:s3cret:pw".getBytes(StandardCharsets.UTF_8));
    assertThat(auth.takeRequest().getHeaders().get("Authorization")).isEqualTo("Basic " + basic);
    server.takeRequest();
    assertThat(server.takeRequest().getHeaders().get("Authorization")).isEqualTo("Bearer acc3ss");
  }

  @Test
  void getManifest_otherUser_getsItsOwnToken() throws Exception {
    server.enqueue(bearerChallenge(auth, SCOPE));
    server.enqueue(manifest());
    server.enqueue(manifest());
    server.enqueue(manifest());
    auth.enqueue(token("alices", 300));
    auth.enqueue(token("anonymous", 300));

    pull(ALICE);
    pull(null);
    pull(ALICE);

    assertThat(auth.getRequestCount()).isEqualTo(2);
    assertThat(auth.takeRequest().getHeaders().get("Authorization")).startsWith("Basic ");
    assertThat(auth.takeRequest().getHeaders().get("Authorization")).isNull();
    server.takeRequest();
    assertThat(server.takeRequest().getHeaders().get("Authorization")).isEqualTo("Bearer alices");
    assertThat(server.takeRequest().getHeaders().get("Authorization"))
        .isEqualTo("Bearer anonymous");
    assertThat(server.takeRequest().getHeaders().get("Authorization")).isEqualTo("Bearer alices");
  }

  @Test
  void getManifest_challengeWithoutScope_asksForRepositoryPullScope() throws Exception {
    server.enqueue(
        new MockResponse.Builder()
            .code(401)
            .addHeader(
                "www-authenticate",
                "BEARER realm=\"http://127.0.0.1:" + auth.getPort() + "/token?x=1\"")
            .build());
    server.enqueue(manifest());
    auth.enqueue(token("t", 60));

    pull(null);

    RecordedRequest tokenRequest = auth.takeRequest();
    assertThat(tokenRequest.getUrl().queryParameter("x")).isEqualTo("1");
    assertThat(tokenRequest.getUrl().queryParameter("scope")).isEqualTo(SCOPE);
    assertThat(tokenRequest.getUrl().queryParameter("service")).isNull();
  }

  @Test
  void getManifest_tokenExpired_fetchesANewOne() throws Exception {
    server.enqueue(bearerChallenge(auth, SCOPE));
    server.enqueue(manifest());
    server.enqueue(manifest());
    server.enqueue(manifest());
    auth.enqueue(token("first", 60));
    auth.enqueue(token("second", 60));

    pull(null);
    ticker.advance(Duration.ofSeconds(47));
    pull(null);
    ticker.advance(Duration.ofSeconds(2));
    pull(null);

    assertThat(auth.getRequestCount()).isEqualTo(2);
    server.takeRequest();
    server.takeRequest();
    assertThat(server.takeRequest().getHeaders().get("Authorization")).isEqualTo("Bearer first");
    assertThat(server.takeRequest().getHeaders().get("Authorization")).isEqualTo("Bearer second");
  }

  @Test
  void getManifest_cachedTokenRejected_fetchesAFreshTokenAndRetriesOnce() throws Exception {
    server.enqueue(bearerChallenge(auth, SCOPE));
    server.enqueue(manifest());
    server.enqueue(bearerChallenge(auth, SCOPE));
    server.enqueue(manifest());
    auth.enqueue(token("revoked", 300));
    auth.enqueue(token("fresh", 300));

    pull(null);
    pull(null);

    assertThat(auth.getRequestCount()).isEqualTo(2);
    server.takeRequest();
    server.takeRequest();
    assertThat(server.takeRequest().getHeaders().get("Authorization")).isEqualTo("Bearer revoked");
    assertThat(server.takeRequest().getHeaders().get("Authorization")).isEqualTo("Bearer fresh");
  }

  @Test
  void getManifest_401AfterToken_deniedWithCredentialsHint() {
    server.enqueue(bearerChallenge(auth, SCOPE));
    server.enqueue(bearerChallenge(auth, SCOPE));
    auth.enqueue(token("anonymous", 300));

    assertThatThrownBy(() -> pull(null))
        .isInstanceOfSatisfying(
            UpstreamException.class,
            e -> {
              assertThat(e.code()).isEqualTo(OciErrorCode.DENIED);
              assertThat(e.upstreamStatus()).isEqualTo(401);
            })
        .hasMessageContaining("/library/nginx:1.27")
        .hasMessageContaining("refused access")
        .hasMessageContaining("credentials")
        .hasMessageNotContaining("anonymous");
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void getManifest_tokenServiceRefuses_denied() {
    server.enqueue(bearerChallenge(auth, SCOPE));
    auth.enqueue(new MockResponse.Builder().code(401).build());

    assertThatThrownBy(() -> pull(ALICE))
        .isInstanceOfSatisfying(
            UpstreamException.class,
            e -> {
              assertThat(e.code()).isEqualTo(OciErrorCode.DENIED);
              assertThat(e.upstreamStatus()).isEqualTo(401);
            })
        .hasMessageContaining("token service")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void getManifest_tokenServiceFails_unavailable() {
    server.enqueue(bearerChallenge(auth, SCOPE));
    auth.enqueue(new MockResponse.Builder().code(502).build());

    assertThatThrownBy(() -> pull(null))
        .isInstanceOfSatisfying(
            UpstreamException.class,
            e -> {
              assertThat(e.code()).isEqualTo(OciErrorCode.UNAVAILABLE);
              assertThat(e.upstreamStatus()).isEqualTo(502);
            });
  }

  @Test
  void getManifest_tokenServiceUnreachable_unavailableStatus0() {
    server.enqueue(bearerChallenge(auth, SCOPE));
    auth.close();

    assertThatThrownBy(() -> pull(null))
        .isInstanceOfSatisfying(
            UpstreamException.class,
            e -> {
              assertThat(e.code()).isEqualTo(OciErrorCode.UNAVAILABLE);
              assertThat(e.upstreamStatus()).isZero();
            });
  }

  @Test
  void getManifest_tokenResponseWithoutToken_unknown() {
    server.enqueue(bearerChallenge(auth, SCOPE));
    auth.enqueue(new MockResponse.Builder().body("{\"expires_in\":60}").build());

    assertThatThrownBy(() -> pull(null))
        .isInstanceOfSatisfying(
            UpstreamException.class, e -> assertThat(e.code()).isEqualTo(OciErrorCode.UNKNOWN));
  }

  @Test
  void getManifest_basicChallengeWithCredentials_retriesAndThenSendsBasicUpFront()
      throws Exception {
    server.enqueue(
        new MockResponse.Builder()
            .code(401)
            .addHeader("WWW-Authenticate", "Basic realm=\"Registry Realm\"")
            .build());
    server.enqueue(manifest());
    server.enqueue(manifest());

    pull(ALICE);
    pull(ALICE);

    String basic =
        "Basic "
            + Base64.getEncoder()
                .encodeToString("alice:s3cret:pw".getBytes(StandardCharsets.UTF_8));
    assertThat(server.takeRequest().getHeaders().get("Authorization")).isNull();
    assertThat(server.takeRequest().getHeaders().get("Authorization")).isEqualTo(basic);
    assertThat(server.takeRequest().getHeaders().get("Authorization")).isEqualTo(basic);
    assertThat(server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void getManifest_basicChallengeWithoutCredentials_denied() {
    server.enqueue(
        new MockResponse.Builder()
            .code(401)
            .addHeader("WWW-Authenticate", "Basic realm=\"Registry Realm\"")
            .build());

    assertThatThrownBy(() -> pull(null))
        .isInstanceOfSatisfying(
            UpstreamException.class, e -> assertThat(e.code()).isEqualTo(OciErrorCode.DENIED))
        .hasMessageContaining("user name and password")
        .hasMessageContaining("credentials");
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void getManifest_basicCredentialsRefused_denied() {
    server.enqueue(
        new MockResponse.Builder().code(401).addHeader("WWW-Authenticate", "Basic").build());
    server.enqueue(
        new MockResponse.Builder().code(401).addHeader("WWW-Authenticate", "Basic").build());

    assertThatThrownBy(() -> pull(ALICE))
        .isInstanceOfSatisfying(
            UpstreamException.class, e -> assertThat(e.code()).isEqualTo(OciErrorCode.DENIED))
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void getManifest_401WithoutChallenge_denied() {
    server.enqueue(new MockResponse.Builder().code(401).build());

    assertThatThrownBy(() -> pull(null))
        .isInstanceOfSatisfying(
            UpstreamException.class, e -> assertThat(e.code()).isEqualTo(OciErrorCode.DENIED));
  }

  @Test
  void getManifest_concurrentCallsAfterExpiry_shareOneTokenFetch() throws Exception {
    server.enqueue(bearerChallenge(auth, SCOPE));
    server.enqueue(manifest());
    auth.enqueue(token("first", 60));
    pull(null);
    ticker.advance(Duration.ofMinutes(5));

    int threads = 8;
    CountDownLatch tokenRequested = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger tokenFetches = new AtomicInteger();
    auth.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
            tokenFetches.incrementAndGet();
            tokenRequested.countDown();
            release.await(5, TimeUnit.SECONDS);
            return token("second", 300);
          }
        });
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            return manifest();
          }
        });
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<UpstreamManifest>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        results.add(
            pool.submit(() -> {
              start.await();
              return pull(null);
            }));
      }
      start.countDown();
      assertThat(tokenRequested.await(5, TimeUnit.SECONDS)).isTrue();
      release.countDown();
      for (Future<UpstreamManifest> f : results) {
        assertThat(f.get(10, TimeUnit.SECONDS).content()).hasSize(MANIFEST.length());
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(tokenFetches).hasValue(1);
  }

  private UpstreamManifest pull(Credentials credentials) {
    return client.getManifest(registry(server), NGINX, Tag.parse("1.27"), List.of(), credentials);
  }

  private static MockResponse manifest() {
    return new MockResponse.Builder()
        .addHeader("Content-Type", "application/vnd.oci.image.manifest.v1+json")
        .body(MANIFEST)
        .build();
  }
}
