/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import static dev.cacheproxy.core.internal.upstream.UpstreamFixtures.bearerChallenge;
import static dev.cacheproxy.core.internal.upstream.UpstreamFixtures.registry;
import static dev.cacheproxy.core.internal.upstream.UpstreamFixtures.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.NotFoundException;
import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.Tag;
import dev.cacheproxy.core.UpstreamException;
import dev.cacheproxy.core.UpstreamHealth;
import dev.cacheproxy.core.UpstreamResilience;
import dev.cacheproxy.core.UpstreamSettings;
import dev.cacheproxy.core.internal.upstream.UpstreamFixtures.FakeTicker;
import dev.cacheproxy.core.testing.TestClock;
import dev.cacheproxy.rules.Registry;
import dev.cacheproxy.rules.RepositoryName;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The resilience of {@link RegistryClient}: retries of metadata calls, the circuit breaker per
 * endpoint, the bulkhead and rate limit per registry, slow upstreams and failover to fallback
 * endpoints.
 */
class RegistryClientResilienceTest {

  private static final RepositoryName NGINX = RepositoryName.of("library/nginx");
  private static final String SCOPE = "repository:library/nginx:pull";
  private static final String MANIFEST = "{\"schemaVersion\":2}";
  private static final String CONTENT = "0123456789abcdefghij";
  private static final Digest BLOB = Digest.sha256(CONTENT.getBytes(StandardCharsets.UTF_8));

  /** Three tries, 1 to 5 ms apart; the default circuit, bulkhead and no rate limit. */
  private static final UpstreamResilience RETRYING = resilience(3);

  /** No retries; a circuit that opens after 4 calls of which half failed, for 30 s. */
  private static final UpstreamResilience SMALL_CIRCUIT =
      resilience(1).withCircuit(50, 4, 4, Duration.ofSeconds(30));

  @StartStop private final MockWebServer server = new MockWebServer();
  @StartStop private final MockWebServer fallback = new MockWebServer();

  private final TestClock clock = new TestClock(UpstreamFixtures.NOW);
  private final List<RegistryClient> clients = new ArrayList<>();

  @AfterEach
  void closeClients() {
    clients.forEach(RegistryClient::close);
  }

  // ---- Retries ----

  @Test
  void getManifest_500Then200_succeedsOnTheSecondTry() {
    RegistryClient client = client(RETRYING);
    server.enqueue(status(500));
    server.enqueue(manifest());

    assertThat(pull(client).content()).asString(StandardCharsets.UTF_8).isEqualTo(MANIFEST);
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void getManifest_500EveryTry_unavailableAfterExactlyTheTries() {
    RegistryClient client = client(RETRYING);
    for (int i = 0; i < 4; i++) {
      server.enqueue(status(500));
    }

    assertUpstreamFailure(
        () -> pull(client),
        e -> {
          assertThat(e.code()).isEqualTo(OciErrorCode.UNAVAILABLE);
          assertThat(e.upstreamStatus()).isEqualTo(500);
          assertThat(RegistryClient.notCalled(e)).isFalse();
        });
    assertThat(server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void getManifest_404_notFoundWithoutRetry() {
    RegistryClient client = client(RETRYING);
    server.enqueue(status(404));
    server.enqueue(manifest());

    assertThatThrownBy(() -> pull(client)).isInstanceOf(NotFoundException.class);
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void getManifest_503WithRetryAfter_notRetriedAndRegistryBackedOff() {
    RegistryClient client = client(RETRYING);
    server.enqueue(new MockResponse.Builder().code(503).addHeader("Retry-After", "20").build());
    server.enqueue(manifest());

    assertUpstreamFailure(
        () -> pull(client),
        e -> {
          assertThat(e.code()).isEqualTo(OciErrorCode.UNAVAILABLE);
          assertThat(e.retryAfter()).contains(Duration.ofSeconds(20));
        });
    assertThat(server.getRequestCount()).isEqualTo(1);

    assertUpstreamFailure(
        () -> pull(client),
        e -> {
          assertThat(e.code()).isEqualTo(OciErrorCode.TOOMANYREQUESTS);
          assertThat(RegistryClient.notCalled(e)).isTrue();
        });
    assertThat(server.getRequestCount()).isEqualTo(1);
    assertThat(onlyEndpoint(client).backedOffUntil())
        .isEqualTo(UpstreamFixtures.NOW.plusSeconds(20));
  }

  @Test
  void getManifest_403_deniedWithoutRetry() {
    RegistryClient client = client(RETRYING);
    server.enqueue(status(403));
    server.enqueue(manifest());

    assertUpstreamFailure(
        () -> pull(client), e -> assertThat(e.code()).isEqualTo(OciErrorCode.DENIED));
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void getManifest_tokenEndpointFailsOnce_retryFetchesTheTokenAndSucceeds() throws Exception {
    RegistryClient client = client(RETRYING);
    server.enqueue(bearerChallenge(server, SCOPE));
    server.enqueue(status(500));
    server.enqueue(token("t0k3n", 300));
    server.enqueue(manifest());

    assertThat(pull(client).content()).asString(StandardCharsets.UTF_8).isEqualTo(MANIFEST);

    assertThat(server.getRequestCount()).isEqualTo(4);
    assertThat(server.takeRequest().getUrl().encodedPath()).endsWith("/manifests/1.27");
    assertThat(server.takeRequest().getUrl().encodedPath()).isEqualTo("/token");
    assertThat(server.takeRequest().getUrl().encodedPath()).isEqualTo("/token");
    RecordedRequest last = server.takeRequest();
    assertThat(last.getUrl().encodedPath()).endsWith("/manifests/1.27");
    assertThat(last.getHeaders().get("Authorization")).isEqualTo("Bearer t0k3n");
  }

  @Test
  void getManifest_tokenEndpointFailsEveryTime_unavailable() {
    RegistryClient client = client(RETRYING);
    server.enqueue(bearerChallenge(server, SCOPE));
    for (int i = 0; i < 4; i++) {
      server.enqueue(status(500));
    }

    assertUpstreamFailure(
        () -> pull(client), e -> assertThat(e.code()).isEqualTo(OciErrorCode.UNAVAILABLE));
    // The challenge, then one token request per try.
    assertThat(server.getRequestCount()).isEqualTo(4);
  }

  // ---- Slow upstreams ----

  @Test
  void getManifest_headersLaterThanResponseTimeout_retriedAndSucceeds() {
    RegistryClient client = client(fastTimeouts(RETRYING));
    server.enqueue(
        new MockResponse.Builder().headersDelay(1, TimeUnit.SECONDS).body(MANIFEST).build());
    server.enqueue(manifest());

    assertThat(pull(client).content()).asString(StandardCharsets.UTF_8).isEqualTo(MANIFEST);
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void getManifest_headersLaterThanResponseTimeoutWithoutRetries_unavailableStatus0() {
    RegistryClient client = client(fastTimeouts(resilience(1)));
    server.enqueue(
        new MockResponse.Builder().headersDelay(1, TimeUnit.SECONDS).body(MANIFEST).build());

    assertUpstreamFailure(
        () -> pull(client),
        e -> {
          assertThat(e.code()).isEqualTo(OciErrorCode.UNAVAILABLE);
          assertThat(e.upstreamStatus()).isZero();
        });
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void getManifest_bodySlowButMovingLongerThanIdleTimeout_arrivesWhole() {
    // Idle timeout 300 ms; 8 bytes every 100 ms: about 1 s in all.
    RegistryClient client = client(fastTimeouts(resilience(1)));
    String big = "{\"schemaVersion\":2,\"annotations\":{\"m\":\"" + "x".repeat(60) + "\"}}";
    server.enqueue(
        new MockResponse.Builder()
            .addHeader("Content-Type", "application/vnd.oci.image.manifest.v1+json")
            .body(big)
            .throttleBody(8, 100, TimeUnit.MILLISECONDS)
            .build());

    long start = System.nanoTime();
    assertThat(pull(client).content()).asString(StandardCharsets.UTF_8).isEqualTo(big);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(300));
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void getBlob_bodySlowButMovingLongerThanIdleTimeout_streamsWhole() throws Exception {
    RegistryClient client = client(fastTimeouts(resilience(1)));
    String whole = CONTENT.repeat(5);
    server.enqueue(
        new MockResponse.Builder()
            .body(whole)
            .throttleBody(10, 100, TimeUnit.MILLISECONDS)
            .build());

    long start = System.nanoTime();
    try (UpstreamBlob blob = client.getBlob(registry(server), NGINX, BLOB, 0, null)) {
      assertThat(new String(blob.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(whole);
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(300));
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void getBlob_connectionCutMidBody_readThrowsAndTheClientDoesNotRetry() throws Exception {
    RegistryClient client = client(RETRYING);
    String whole = CONTENT.repeat(4096);
    server.enqueue(
        new MockResponse.Builder()
            .body(whole)
            .onResponseBody(new SocketEffect.CloseSocket())
            .build());
    server.enqueue(new MockResponse.Builder().body(whole).build());

    ByteArrayOutputStream received = new ByteArrayOutputStream();
    try (UpstreamBlob blob = client.getBlob(registry(server), NGINX, BLOB, 0, null)) {
      assertThatThrownBy(() -> blob.body().transferTo(received)).isInstanceOf(IOException.class);
    }

    assertThat(received.size()).isLessThan(whole.length());
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  // ---- Circuit breaker ----

  @Test
  void circuit_failuresOpenIt_thenCallsFailAtOnceUntilTrialCallsCloseIt() {
    RegistryClient client = client(SMALL_CIRCUIT);
    for (int i = 0; i < 4; i++) {
      server.enqueue(status(500));
    }
    for (int i = 0; i < 4; i++) {
      assertUpstreamFailure(() -> pull(client), e -> assertThat(e.upstreamStatus()).isEqualTo(500));
    }
    assertThat(server.getRequestCount()).isEqualTo(4);

    assertThatThrownBy(() -> pull(client))
        .isInstanceOfSatisfying(
            UpstreamException.class,
            e -> {
              assertThat(e.code()).isEqualTo(OciErrorCode.UNAVAILABLE);
              assertThat(e.upstreamStatus()).isZero();
              assertThat(RegistryClient.notCalled(e)).isTrue();
              assertThat(e.retryAfter()).contains(Duration.ofSeconds(30));
            })
        .hasMessageContaining("circuit open");
    assertThat(server.getRequestCount()).isEqualTo(4);
    UpstreamHealth.Endpoint open = onlyEndpoint(client);
    assertThat(open.circuit()).isEqualTo(UpstreamHealth.Circuit.OPEN);
    assertThat(open.url()).isEqualTo(registry(server).endpoint());
    assertThat(client.health().get(0).available()).isFalse();

    clock.advance(Duration.ofSeconds(31));
    for (int i = 0; i < 3; i++) {
      server.enqueue(manifest());
    }
    pull(client);
    assertThat(server.getRequestCount()).isEqualTo(5);
    assertThat(onlyEndpoint(client).circuit()).isEqualTo(UpstreamHealth.Circuit.HALF_OPEN);
    pull(client);
    pull(client);
    assertThat(server.getRequestCount()).isEqualTo(7);
    assertThat(onlyEndpoint(client).circuit()).isEqualTo(UpstreamHealth.Circuit.CLOSED);
  }

  @Test
  void circuit_notFoundAndDeniedAnswers_doNotOpenIt() {
    RegistryClient client = client(SMALL_CIRCUIT);
    for (int i = 0; i < 6; i++) {
      server.enqueue(status(404));
    }
    server.enqueue(status(401));
    server.enqueue(status(403));
    server.enqueue(manifest());

    for (int i = 0; i < 6; i++) {
      assertThatThrownBy(() -> pull(client)).isInstanceOf(NotFoundException.class);
    }
    for (int i = 0; i < 2; i++) {
      assertUpstreamFailure(
          () -> pull(client), e -> assertThat(e.code()).isEqualTo(OciErrorCode.DENIED));
    }
    UpstreamHealth.Endpoint endpoint = onlyEndpoint(client);
    assertThat(endpoint.circuit()).isEqualTo(UpstreamHealth.Circuit.CLOSED);
    assertThat(endpoint.recentFailures()).isZero();

    pull(client);
    assertThat(server.getRequestCount()).isEqualTo(9);
  }

  // ---- Bulkhead and rate limit ----

  @Test
  void bulkhead_openBlobHoldsThePlace_secondCallRefusedUntilItIsClosed() throws Exception {
    RegistryClient client = client(resilience(1).withLimits(1, Duration.ZERO, 0));
    server.enqueue(new MockResponse.Builder().body(CONTENT).build());
    server.enqueue(manifest());

    UpstreamBlob blob = client.getBlob(registry(server), NGINX, BLOB, 0, null);
    assertThat(client.health().get(0).openCalls()).isEqualTo(1);
    assertUpstreamFailure(
        () -> pull(client),
        e -> {
          assertThat(e.code()).isEqualTo(OciErrorCode.TOOMANYREQUESTS);
          assertThat(e.upstreamStatus()).isZero();
          assertThat(RegistryClient.notCalled(e)).isTrue();
        });
    assertThat(server.getRequestCount()).isEqualTo(1);

    blob.close();
    assertThat(client.health().get(0).openCalls()).isZero();
    assertThat(pull(client).content()).asString(StandardCharsets.UTF_8).isEqualTo(MANIFEST);
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void bulkhead_metadataCallsReleaseTheirPlace() {
    RegistryClient client = client(resilience(1).withLimits(1, Duration.ZERO, 0));
    server.enqueue(manifest());
    server.enqueue(manifest());

    pull(client);
    pull(client);

    assertThat(server.getRequestCount()).isEqualTo(2);
    assertThat(client.health().get(0).openCalls()).isZero();
  }

  @Test
  void rateLimit_secondCallWithinTheSecond_refusedWithoutARequest() {
    RegistryClient client = client(resilience(1).withLimits(64, Duration.ZERO, 1));
    server.enqueue(manifest());
    server.enqueue(manifest());

    pull(client);
    assertUpstreamFailure(
        () -> pull(client),
        e -> {
          assertThat(e.code()).isEqualTo(OciErrorCode.TOOMANYREQUESTS);
          assertThat(RegistryClient.notCalled(e)).isTrue();
          assertThat(e.retryAfter()).isPresent();
        });

    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  // ---- Failover ----

  @Test
  void failover_503WithoutRetryAfter_answeredByTheFallback() {
    RegistryClient client = client(resilience(1));
    server.enqueue(status(503));
    fallback.enqueue(manifest());

    assertThat(pull(client, withFallback()).content())
        .asString(StandardCharsets.UTF_8)
        .isEqualTo(MANIFEST);
    assertThat(server.getRequestCount()).isEqualTo(1);
    assertThat(fallback.getRequestCount()).isEqualTo(1);
  }

  @Test
  void failover_firstEndpointUnreachable_answeredByTheFallback() throws Exception {
    RegistryClient client = client(resilience(1));
    URI closed = closedPort();
    Registry registry = new Registry(closed.getAuthority(), closed, List.of(endpoint(fallback)));
    fallback.enqueue(manifest());

    assertThat(pull(client, registry).content())
        .asString(StandardCharsets.UTF_8)
        .isEqualTo(MANIFEST);
    assertThat(fallback.getRequestCount()).isEqualTo(1);
  }

  @Test
  void failover_404_notFoundWithoutAskingTheFallback() {
    RegistryClient client = client(resilience(1));
    server.enqueue(status(404));
    fallback.enqueue(manifest());

    assertThatThrownBy(() -> pull(client, withFallback())).isInstanceOf(NotFoundException.class);
    assertThat(server.getRequestCount()).isEqualTo(1);
    assertThat(fallback.getRequestCount()).isZero();
  }

  @Test
  void failover_429_answeredByTheFallbackAndTheFirstEndpointBackedOff() {
    RegistryClient client = client(resilience(1));
    server.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "60").build());
    server.enqueue(manifest());
    fallback.enqueue(manifest());
    fallback.enqueue(manifest());

    pull(client, withFallback());
    pull(client, withFallback());

    assertThat(server.getRequestCount()).isEqualTo(1);
    assertThat(fallback.getRequestCount()).isEqualTo(2);
    UpstreamHealth.Endpoint first = endpointOf(client, endpoint(server));
    assertThat(first.backedOffUntil()).isEqualTo(UpstreamFixtures.NOW.plusSeconds(60));
    assertThat(endpointOf(client, endpoint(fallback)).backedOffUntil()).isNull();
  }

  @Test
  void failover_firstCircuitOpen_callsGoToTheFallbackWithoutAskingTheFirst() {
    RegistryClient client = client(SMALL_CIRCUIT);
    for (int i = 0; i < 4; i++) {
      server.enqueue(status(500));
    }
    server.enqueue(manifest());
    for (int i = 0; i < 6; i++) {
      fallback.enqueue(manifest());
    }

    for (int i = 0; i < 4; i++) {
      pull(client, withFallback());
    }
    assertThat(endpointOf(client, endpoint(server)).circuit())
        .isEqualTo(UpstreamHealth.Circuit.OPEN);
    pull(client, withFallback());
    pull(client, withFallback());

    assertThat(server.getRequestCount()).isEqualTo(4);
    assertThat(fallback.getRequestCount()).isEqualTo(6);
    assertThat(endpointOf(client, endpoint(fallback)).circuit())
        .isEqualTo(UpstreamHealth.Circuit.CLOSED);
    assertThat(client.health().get(0).available()).isTrue();
  }

  @Test
  void failover_bothFail_unavailableFromTheLastEndpoint() {
    RegistryClient client = client(resilience(1));
    server.enqueue(status(503));
    fallback.enqueue(status(502));

    assertUpstreamFailure(
        () -> pull(client, withFallback()),
        e -> {
          assertThat(e.code()).isEqualTo(OciErrorCode.UNAVAILABLE);
          assertThat(e.upstreamStatus()).isEqualTo(502);
        });
    assertThat(server.getRequestCount()).isEqualTo(1);
    assertThat(fallback.getRequestCount()).isEqualTo(1);
  }

  @Test
  void failover_bothAnswer5xx_messageNamesTheLastEndpoint() {
    RegistryClient client = client(resilience(1));
    server.enqueue(status(503));
    fallback.enqueue(status(502));

    assertUpstreamFailure(
        () -> pull(client, withFallback()),
        e -> {
          assertThat(e.upstreamStatus()).isEqualTo(502);
          assertThat(e.getMessage())
              .contains("none of the 2 endpoints")
              .contains(endpoint(server).getAuthority() + " → ")
              .contains(endpoint(fallback).getAuthority() + " → ")
              .contains("503")
              .contains("502");
        });
  }

  @Test
  void failover_bothUnreachable_messageNamesTheLastEndpoint() throws Exception {
    RegistryClient client = client(resilience(1));
    URI first = closedPort();
    URI second = closedPort();
    Registry registry = new Registry(first.getAuthority(), first, List.of(second));

    assertUpstreamFailure(
        () -> pull(client, registry),
        e -> {
          assertThat(e.code()).isEqualTo(OciErrorCode.UNAVAILABLE);
          assertThat(e.upstreamStatus()).isZero();
          assertThat(e.getMessage()).contains(second.getAuthority());
        });
  }

  @Test
  void failover_tokenOfTheFirstEndpoint_isNotSentToTheFallback() throws Exception {
    RegistryClient client = client(resilience(1));
    server.enqueue(bearerChallenge(server, SCOPE));
    server.enqueue(token("first", 300));
    server.enqueue(status(503));
    fallback.enqueue(bearerChallenge(fallback, SCOPE));
    fallback.enqueue(token("second", 300));
    fallback.enqueue(manifest());

    pull(client, withFallback());

    assertThat(server.getRequestCount()).isEqualTo(3);
    server.takeRequest();
    assertThat(server.takeRequest().getUrl().encodedPath()).isEqualTo("/token");
    assertThat(server.takeRequest().getHeaders().get("Authorization")).isEqualTo("Bearer first");
    assertThat(fallback.getRequestCount()).isEqualTo(3);
    assertThat(fallback.takeRequest().getHeaders().get("Authorization")).isNull();
    RecordedRequest tokenRequest = fallback.takeRequest();
    assertThat(tokenRequest.getUrl().encodedPath()).isEqualTo("/token");
    assertThat(tokenRequest.getHeaders().get("Authorization")).isNull();
    assertThat(fallback.takeRequest().getHeaders().get("Authorization")).isEqualTo("Bearer second");
  }

  // ---- Helpers ----

  private static UpstreamResilience resilience(int attempts) {
    return new UpstreamResilience(
        attempts,
        Duration.ofMillis(1),
        Duration.ofMillis(5),
        50,
        10,
        20,
        Duration.ofSeconds(30),
        64,
        Duration.ofSeconds(30),
        0);
  }

  /** Response timeout 250 ms, idle timeout 300 ms. */
  private static UpstreamSettings fastTimeouts(UpstreamResilience resilience) {
    return new UpstreamSettings(
            Duration.ofSeconds(2), Duration.ofMillis(250), Duration.ofMillis(300), 4, 16, "t/1")
        .withResilience(resilience, Map.of());
  }

  private RegistryClient client(UpstreamResilience resilience) {
    return client(UpstreamFixtures.SETTINGS.withResilience(resilience, Map.of()));
  }

  private RegistryClient client(UpstreamSettings settings) {
    RegistryClient client = new RegistryClient(settings, new FakeTicker(), clock);
    clients.add(client);
    return client;
  }

  private Registry withFallback() {
    return new Registry(registry(server).host(), endpoint(server), List.of(endpoint(fallback)));
  }

  private static URI endpoint(MockWebServer s) {
    return registry(s).endpoint();
  }

  /** An address nothing listens on: a port that was free a moment ago. */
  private static URI closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }
  }

  private UpstreamManifest pull(RegistryClient client) {
    return pull(client, registry(server));
  }

  private static UpstreamManifest pull(RegistryClient client, Registry registry) {
    return client.getManifest(registry, NGINX, Tag.parse("1.27"), List.of(), null);
  }

  private static UpstreamHealth.Endpoint onlyEndpoint(RegistryClient client) {
    assertThat(client.health()).hasSize(1);
    assertThat(client.health().get(0).endpoints()).hasSize(1);
    return client.health().get(0).endpoints().get(0);
  }

  private static UpstreamHealth.Endpoint endpointOf(RegistryClient client, URI url) {
    return client.health().stream()
        .flatMap(h -> h.endpoints().stream())
        .filter(e -> e.url().equals(url))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no endpoint " + url + " in " + client.health()));
  }

  private static void assertUpstreamFailure(
      ThrowingCallable call, Consumer<UpstreamException> requirements) {
    assertThatThrownBy(call).isInstanceOfSatisfying(UpstreamException.class, requirements::accept);
  }

  private static MockResponse status(int code) {
    return new MockResponse.Builder().code(code).build();
  }

  private static MockResponse manifest() {
    return new MockResponse.Builder()
        .addHeader("Content-Type", "application/vnd.oci.image.manifest.v1+json")
        .body(MANIFEST)
        .build();
  }
}
