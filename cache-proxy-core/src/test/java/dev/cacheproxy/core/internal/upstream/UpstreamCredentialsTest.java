/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import static dev.cacheproxy.core.internal.upstream.UpstreamFixtures.bearerChallenge;
import static dev.cacheproxy.core.internal.upstream.UpstreamFixtures.registry;
import static dev.cacheproxy.core.internal.upstream.UpstreamFixtures.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.ProxyException;
import dev.cacheproxy.core.Tag;
import dev.cacheproxy.core.spi.Credentials;
import dev.cacheproxy.rules.Registry;
import dev.cacheproxy.rules.RepositoryName;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Where the upstream credentials of a rule go, and where they must not: only to the registry's own
 * origin (scheme, host and port) and its token service, never to a redirect target on another
 * origin, and never into the error messages passed on to clients.
 */
class UpstreamCredentialsTest {

  private static final RepositoryName NGINX = RepositoryName.of("library/nginx");
  private static final String SCOPE = "repository:library/nginx:pull";
  private static final String CONTENT = "0123456789abcdefghij";
  private static final Digest DIGEST = Digest.sha256(CONTENT.getBytes(StandardCharsets.UTF_8));
  private static final String PASSWORD = "pa55-w0rd-xyzzy";
  private static final Credentials ALICE = new Credentials("alice", PASSWORD);
  private static final String BASIC =
      Base64.getEncoder().encodeToString(("alice:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
  private static final String TOKEN = "t0k3n-very-secret-bearer";

  @StartStop private final MockWebServer server = new MockWebServer();
  @StartStop private final MockWebServer auth = new MockWebServer();
  @StartStop private final MockWebServer storage = new MockWebServer();

  private final RegistryClient client = UpstreamFixtures.client();

  @AfterEach
  void closeClient() {
    client.close();
  }

  @Test
  void getBlob_basicAuthRedirectedToAnotherPort_storageGetsNoAuthorization() throws Exception {
    server.enqueue(basicChallenge());
    server.enqueue(redirect(307, "http://127.0.0.1:" + storage.getPort() + "/blob?sig=abc"));
    storage.enqueue(new MockResponse.Builder().body(CONTENT).build());

    readBlob(registry(server));

    assertThat(server.takeRequest().getHeaders().get("Authorization")).isNull();
    assertThat(server.takeRequest().getHeaders().get("Authorization")).isEqualTo("Basic " + BASIC);
    assertThat(storage.takeRequest().getHeaders().get("Authorization")).isNull();
  }

  @Test
  void getBlob_redirectToSameServerUnderAnotherHostName_getsNoAuthorization() throws Exception {
    // localhost and 127.0.0.1 reach the same socket, but they are different origins.
    server.enqueue(bearerChallenge(auth, SCOPE));
    auth.enqueue(token(TOKEN, 300));
    server.enqueue(redirect(302, "http://localhost:" + server.getPort() + "/elsewhere"));
    server.enqueue(new MockResponse.Builder().body(CONTENT).build());

    readBlob(registry(server));

    server.takeRequest();
    assertThat(server.takeRequest().getHeaders().get("Authorization")).isEqualTo("Bearer " + TOKEN);
    RecordedRequest redirected = server.takeRequest();
    assertThat(redirected.getTarget()).isEqualTo("/elsewhere");
    assertThat(redirected.getHeaders().get("Authorization")).isNull();
  }

  @Test
  void getBlob_redirectChainAcrossOrigins_noHopAfterTheRegistryGetsAuthorization()
      throws Exception {
    try (MockWebServer cdn = new MockWebServer()) {
      cdn.start();
      server.enqueue(bearerChallenge(auth, SCOPE));
      auth.enqueue(token(TOKEN, 300));
      server.enqueue(redirect(307, "http://127.0.0.1:" + storage.getPort() + "/hop"));
      storage.enqueue(redirect(302, "http://127.0.0.1:" + cdn.getPort() + "/final"));
      cdn.enqueue(new MockResponse.Builder().body(CONTENT).build());

      readBlob(registry(server));

      assertThat(storage.takeRequest().getHeaders().get("Authorization")).isNull();
      assertThat(cdn.takeRequest().getHeaders().get("Authorization")).isNull();
    }
  }

  @Test
  void getBlob_sameOriginRedirect_keepsAuthorization() throws Exception {
    server.enqueue(basicChallenge());
    server.enqueue(redirect(307, "http://127.0.0.1:" + server.getPort() + "/storage/x"));
    server.enqueue(new MockResponse.Builder().body(CONTENT).build());

    readBlob(registry(server));

    server.takeRequest();
    server.takeRequest();
    RecordedRequest redirected = server.takeRequest();
    assertThat(redirected.getTarget()).isEqualTo("/storage/x");
    assertThat(redirected.getHeaders().get("Authorization")).isEqualTo("Basic " + BASIC);
  }

  @Test
  void tokenService_redirectToAnotherOrigin_doesNotCarryTheBasicCredentials() throws Exception {
    server.enqueue(bearerChallenge(auth, SCOPE));
    auth.enqueue(redirect(307, "http://127.0.0.1:" + storage.getPort() + "/token"));
    storage.enqueue(token(TOKEN, 300));
    server.enqueue(new MockResponse.Builder().body(CONTENT).build());

    readBlob(registry(server));

    assertThat(auth.takeRequest().getHeaders().get("Authorization")).isEqualTo("Basic " + BASIC);
    assertThat(storage.takeRequest().getHeaders().get("Authorization")).isNull();
  }

  @Test
  void errorMessages_upstreamEchoingTheCredentials_areRedacted() {
    for (int status : new int[] {400, 403, 404, 416, 429, 500, 503}) {
      server.enqueue(bearerChallenge(auth, SCOPE));
      auth.enqueue(token(TOKEN, 300));
      server.enqueue(
          errorBody(
              status,
              "you sent Bearer " + TOKEN + " and Basic " + BASIC + " with password " + PASSWORD));

      // A fresh client per status: no cached scheme, token or back-off carries over.
      try (RegistryClient fresh = UpstreamFixtures.client()) {
        ProxyException e =
            catchThrowableOfType(
                ProxyException.class,
                () ->
                    fresh.getManifest(registry(server), NGINX, Tag.parse("v1"), List.of(), ALICE));

        assertThat(e).as("HTTP %d", status).isNotNull();
        assertNoSecret(e, "HTTP " + status);
        assertThat(e.getMessage()).as("HTTP %d", status).contains("[redacted]");
      }
    }
  }

  @Test
  void errorMessages_refusedCredentials_nameTheRegistryButNoSecret() {
    server.enqueue(basicChallenge());
    server.enqueue(basicChallenge());
    ProxyException refused =
        catchThrowableOfType(
            ProxyException.class,
            () -> client.getManifest(registry(server), NGINX, Tag.parse("v1"), List.of(), ALICE));

    server.enqueue(bearerChallenge(auth, SCOPE));
    auth.enqueue(errorBody(401, "bad password " + PASSWORD));
    ProxyException tokenRefused =
        catchThrowableOfType(
            ProxyException.class,
            () -> client.getBlob(registry(server), NGINX, DIGEST, 0, ALICE).close());

    assertThat(refused.code()).isEqualTo(OciErrorCode.DENIED);
    assertThat(refused.getMessage()).contains("127.0.0.1:" + server.getPort());
    assertNoSecret(refused, "refused Basic credentials");
    assertThat(tokenRefused.code()).isEqualTo(OciErrorCode.DENIED);
    assertNoSecret(tokenRefused, "refused token request");
  }

  @Test
  void errorMessages_unreachableEndpointWithUserInfo_doNotShowIt() {
    int closedPort = storage.getPort();
    storage.close();
    Registry registry =
        new Registry(
            "127.0.0.1:" + closedPort,
            URI.create("http://alice:" + PASSWORD + "@127.0.0.1:" + closedPort));

    ProxyException e =
        catchThrowableOfType(
            ProxyException.class,
            () -> client.getManifest(registry, NGINX, Tag.parse("v1"), List.of(), ALICE));

    assertThat(e.code()).isEqualTo(OciErrorCode.UNAVAILABLE);
    assertNoSecret(e, "unreachable registry");
  }

  @Test
  void secrets_leaveOutShortOnes_andRedactEveryOccurrence() {
    List<String> secrets = UpstreamErrors.secrets("Bearer " + TOKEN, new Credentials("bob", "pw"));

    assertThat(secrets).contains(TOKEN).doesNotContain("pw");
    assertThat(UpstreamErrors.redact(TOKEN + " x " + TOKEN, secrets))
        .isEqualTo("[redacted] x [redacted]");
    assertThat(UpstreamErrors.secrets(null, null)).isEmpty();
  }

  private void readBlob(Registry registry) throws Exception {
    try (UpstreamBlob blob = client.getBlob(registry, NGINX, DIGEST, 0, ALICE)) {
      assertThat(new String(blob.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(CONTENT);
    }
  }

  /** Asserts that neither the message nor any cause's message holds a secret. */
  static void assertNoSecret(Throwable e, String what) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      assertThat(String.valueOf(t.getMessage()))
          .as("%s: message of %s", what, t.getClass().getSimpleName())
          .doesNotContain(PASSWORD)
          .doesNotContain(BASIC)
          .doesNotContain(TOKEN);
      assertThat(t.toString()).as(what).doesNotContain(PASSWORD).doesNotContain(TOKEN);
      if (t.getCause() == t) {
        break;
      }
    }
  }

  private static MockResponse basicChallenge() {
    return new MockResponse.Builder()
        .code(401)
        .addHeader("WWW-Authenticate", "Basic realm=\"registry\"")
        .build();
  }

  private static MockResponse redirect(int status, String location) {
    return new MockResponse.Builder().code(status).addHeader("Location", location).build();
  }

  private static MockResponse errorBody(int status, String message) {
    return new MockResponse.Builder()
        .code(status)
        .addHeader("Content-Type", "application/json")
        .body("{\"errors\":[{\"code\":\"DENIED\",\"message\":\"" + message + "\"}]}")
        .build();
  }
}
