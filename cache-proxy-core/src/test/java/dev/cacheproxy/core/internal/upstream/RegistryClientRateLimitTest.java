/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import static dev.cacheproxy.core.internal.upstream.UpstreamFixtures.bearerChallenge;
import static dev.cacheproxy.core.internal.upstream.UpstreamFixtures.registry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.Tag;
import dev.cacheproxy.core.UpstreamException;
import dev.cacheproxy.core.internal.upstream.UpstreamFixtures.FakeTicker;
import dev.cacheproxy.core.testing.TestClock;
import dev.cacheproxy.rules.RepositoryName;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code Retry-After} back-offs of {@link RegistryClient}: no calls to a registry until then. */
class RegistryClientRateLimitTest {

  private static final RepositoryName NGINX = RepositoryName.of("library/nginx");
  private static final RepositoryName REDIS = RepositoryName.of("library/redis");
  private static final String MANIFEST = "{\"schemaVersion\":2}";
  private static final Digest BLOB = Digest.sha256("blob".getBytes(StandardCharsets.UTF_8));

  @StartStop private final MockWebServer server = new MockWebServer();
  @StartStop private final MockWebServer other = new MockWebServer();
  @StartStop private final MockWebServer auth = new MockWebServer();

  private final TestClock clock = new TestClock(UpstreamFixtures.NOW);
  private final RegistryClient client =
      new RegistryClient(UpstreamFixtures.SETTINGS, new FakeTicker(), clock);

  @AfterEach
  void closeClient() {
    client.close();
  }

  @Test
  void retryAfterSeconds_noCallsUntilThen_thenAsksAgain() throws Exception {
    server.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "7").build());

    assertBackedOff(() -> pull(NGINX, "1"), Duration.ofSeconds(7));
    assertThat(server.getRequestCount()).isEqualTo(1);

    assertBackedOff(() -> pull(NGINX, "1"), Duration.ofSeconds(7));
    clock.advance(Duration.ofSeconds(3));
    assertBackedOff(() -> pull(REDIS, "2"), Duration.ofSeconds(4));
    assertBackedOff(() -> client.listTags(registry(server), NGINX, 0, null, null), null);
    assertBackedOff(() -> client.getBlob(registry(server), NGINX, BLOB, 0, null).close(), null);
    assertBackedOff(() -> client.headManifest(registry(server), NGINX, tag("1"), List.of(), null));
    assertThat(server.getRequestCount()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(4));
    server.enqueue(manifest());
    assertThat(pull(NGINX, "1").content()).asString(StandardCharsets.UTF_8).isEqualTo(MANIFEST);
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void backOff_messageNamesTheRegistryAndWhenItMayBeAskedAgain() {
    server.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "7").build());
    assertThatThrownBy(() -> pull(NGINX, "1")).isInstanceOf(UpstreamException.class);

    assertThatThrownBy(() -> pull(NGINX, "1"))
        .isInstanceOfSatisfying(
            UpstreamException.class, e -> assertThat(e.upstreamStatus()).isZero())
        .hasMessageContaining(registry(server).host())
        .hasMessageContaining("2025-01-01T00:00:07Z")
        .hasMessageContaining("in 7 s");
  }

  @Test
  void retryAfterHttpDate_backsOffUntilThatTime() {
    server.enqueue(
        new MockResponse.Builder()
            .code(429)
            .addHeader("Retry-After", "Wed, 01 Jan 2025 00:01:30 GMT")
            .build());

    assertBackedOff(() -> pull(NGINX, "1"), Duration.ofSeconds(90));
    clock.advance(Duration.ofSeconds(89));
    assertBackedOff(() -> pull(NGINX, "1"), Duration.ofSeconds(1));
    assertThat(server.getRequestCount()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(1));
    server.enqueue(manifest());
    pull(NGINX, "1");
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void unavailableWithRetryAfter_backsOff() {
    server.enqueue(new MockResponse.Builder().code(503).addHeader("Retry-After", "5").build());

    assertThatThrownBy(() -> pull(NGINX, "1"))
        .isInstanceOfSatisfying(
            UpstreamException.class,
            e -> {
              assertThat(e.code()).isEqualTo(OciErrorCode.UNAVAILABLE);
              assertThat(e.retryAfter()).contains(Duration.ofSeconds(5));
            });
    assertBackedOff(() -> pull(NGINX, "1"), Duration.ofSeconds(5));
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void unavailableWithoutRetryAfter_doesNotBackOff() {
    server.enqueue(new MockResponse.Builder().code(503).build());
    server.enqueue(manifest());

    assertThatThrownBy(() -> pull(NGINX, "1")).isInstanceOf(UpstreamException.class);
    pull(NGINX, "1");

    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void tooManyRequestsWithoutRetryAfter_backsOffTheDefaultAndSaysSo() {
    server.enqueue(new MockResponse.Builder().code(429).build());

    assertBackedOff(() -> pull(NGINX, "1"), RegistryBackoff.DEFAULT_WAIT);
    clock.advance(RegistryBackoff.DEFAULT_WAIT.minusSeconds(1));
    assertBackedOff(() -> pull(NGINX, "1"), Duration.ofSeconds(1));
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void retryAfterBeyondTheCap_waitsAtMostTheCap() {
    server.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "86400").build());

    assertBackedOff(() -> pull(NGINX, "1"), RegistryBackoff.MAX_WAIT);
    clock.advance(RegistryBackoff.MAX_WAIT);
    server.enqueue(manifest());
    pull(NGINX, "1");
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void tokenEndpoint429_backsOffTheRegistry() {
    server.enqueue(bearerChallenge(auth, "repository:library/nginx:pull"));
    auth.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "30").build());

    assertBackedOff(() -> pull(NGINX, "1"), Duration.ofSeconds(30));
    assertBackedOff(() -> pull(NGINX, "1"), Duration.ofSeconds(30));

    assertThat(server.getRequestCount()).isEqualTo(1);
    assertThat(auth.getRequestCount()).isEqualTo(1);
  }

  @Test
  void backOff_isPerRegistry() {
    server.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "60").build());
    other.enqueue(manifest());

    assertBackedOff(() -> pull(NGINX, "1"), Duration.ofSeconds(60));
    client.getManifest(registry(other), NGINX, tag("1"), List.of(), null);

    assertThat(other.getRequestCount()).isEqualTo(1);
  }

  @Test
  void laterAnswerExtendsTheBackOffButNeverShortensIt() {
    RegistryBackoff backoff = new RegistryBackoff(clock);
    backoff.record("r", rateLimited(Duration.ofSeconds(60)));
    backoff.record("r", rateLimited(Duration.ofSeconds(5)));

    clock.advance(Duration.ofSeconds(30));
    assertThatThrownBy(() -> backoff.check("r", "x"))
        .isInstanceOfSatisfying(
            UpstreamException.class,
            e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(30)));
    backoff.record("r", rateLimited(Duration.ofSeconds(90)));
    clock.advance(Duration.ofSeconds(60));
    assertThatThrownBy(() -> backoff.check("r", "x")).isInstanceOf(UpstreamException.class);
    clock.advance(Duration.ofSeconds(30));
    backoff.check("r", "x");
  }

  @Test
  void waitFor_onlyRateLimitsAndUnavailableWithRetryAfter() {
    assertThat(RegistryBackoff.waitFor(429, null)).isEqualTo(RegistryBackoff.DEFAULT_WAIT);
    assertThat(RegistryBackoff.waitFor(429, Duration.ZERO)).isNull();
    assertThat(RegistryBackoff.waitFor(503, Duration.ofSeconds(3))).hasSeconds(3);
    assertThat(RegistryBackoff.waitFor(503, null)).isNull();
    assertThat(RegistryBackoff.waitFor(500, Duration.ofSeconds(3))).isNull();
    assertThat(RegistryBackoff.waitFor(0, null)).isNull();
  }

  private static UpstreamException rateLimited(Duration retryAfter) {
    return new UpstreamException(OciErrorCode.TOOMANYREQUESTS, "slow down", 429, retryAfter, null);
  }

  private UpstreamManifest pull(RepositoryName repository, String tag) {
    return client.getManifest(registry(server), repository, tag(tag), List.of(), null);
  }

  private static Tag tag(String value) {
    return Tag.parse(value);
  }

  private static MockResponse manifest() {
    return new MockResponse.Builder()
        .addHeader("Content-Type", "application/vnd.oci.image.manifest.v1+json")
        .body(MANIFEST)
        .build();
  }

  private static void assertBackedOff(ThrowingCallable call) {
    assertBackedOff(call, null);
  }

  /** The call fails with TOOMANYREQUESTS carrying {@code retryAfter}, if given. */
  private static void assertBackedOff(ThrowingCallable call, Duration retryAfter) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            UpstreamException.class,
            e -> {
              assertThat(e.code()).isEqualTo(OciErrorCode.TOOMANYREQUESTS);
              assertThat(e.retryAfter()).isPresent();
              if (retryAfter != null) {
                assertThat(e.retryAfter()).contains(retryAfter);
              }
            });
  }
}
