/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.core.Digest;
import dev.cacheproxy.rules.Rule;
import dev.cacheproxy.rules.RuleSet;
import dev.cacheproxy.server.auth.AccessControl;
import dev.cacheproxy.server.auth.AuthFixture;
import dev.cacheproxy.server.auth.AuthMode;
import dev.cacheproxy.server.auth.AuthSettings;
import dev.cacheproxy.server.auth.TokenStore;
import io.undertow.Undertow;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry listener with access control: a real {@link RegistryHandler} in basic and token mode
 * over a {@link CacheProxy} whose upstream is a MockWebServer serving {@code up/app:latest} and
 * {@code up/secret:latest}, driven by the JDK's HttpClient through the challenge, the token
 * endpoint and the pull.
 */
class RegistryHandlerAuthTest {

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";
  private static final byte[] MANIFEST =
      ("{\"schemaVersion\":2,\"mediaType\":\""
              + MEDIA_TYPE
              + "\",\"config\":{\"mediaType\":"
              + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:"
              + "a".repeat(64)
              + "\",\"size\":2},\"layers\":[]}")
          .getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;

  private final MockWebServer upstream = new MockWebServer();
  private final AtomicInteger upstreamManifestRequests = new AtomicInteger();
  private CacheProxy proxy;
  private ExecutorService executor;
  private Undertow undertow;
  private AccessControl access;
  private int port;

  private void start(AuthMode mode, List<String> anonymous) throws Exception {
    upstream.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            String path = request.getUrl().encodedPath();
            if (path.contains("/manifests/")) {
              upstreamManifestRequests.incrementAndGet();
            }
            if (path.endsWith("/manifests/latest")) {
              return new MockResponse.Builder()
                  .code(200)
                  .addHeader("Content-Type", MEDIA_TYPE)
                  .addHeader("Docker-Content-Digest", Digest.sha256(MANIFEST).toString())
                  .body(new okio.Buffer().write(MANIFEST))
                  .build();
            }
            return new MockResponse.Builder()
                .code(path.equals("/v2/") ? 200 : 404)
                .addHeader("Content-Type", "application/json")
                .body("{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"no\"}]}")
                .build();
          }
        });
    upstream.start();
    proxy =
        CacheProxy.builder()
            .rules(
                RuleSet.of(
                    List.of(
                        Rule.of("up", "up/*", "http://127.0.0.1:" + upstream.getPort() + "/*"))))
            .dataDirectory(dir.resolve("data"))
            .build();
    AuthSettings settings = AuthFixture.settings(dir, mode, anonymous, null);
    access = AccessControl.create(settings, dir.resolve("data"), Clock.systemUTC());
    executor = Executors.newVirtualThreadPerTaskExecutor();
    undertow =
        Undertow.builder()
            .addHttpListener(0, "127.0.0.1")
            .setHandler(new RegistryHandler(proxy, executor, access))
            .build();
    undertow.start();
    port = ((InetSocketAddress) undertow.getListenerInfo().getFirst().getAddress()).getPort();
  }

  @AfterEach
  void stop() {
    if (undertow != null) {
      undertow.stop();
      executor.shutdownNow();
      proxy.close();
    }
    upstream.close();
  }

  private HttpResponse<String> get(String path, @Nullable String authorization) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Accept", MEDIA_TYPE);
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private String token(String scope, @Nullable String authorization) throws Exception {
    HttpResponse<String> response =
        get(
            "/_cache-proxy/token?service=test-service&scope="
                + URLEncoder.encode(scope, StandardCharsets.UTF_8),
            authorization);
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("access_token").asText()).isEqualTo(body.path("token").asText());
    assertThat(body.path("expires_in").asLong()).isEqualTo(300);
    return "Bearer " + body.path("token").asText();
  }

  @Test
  void token_challengeThenTokenThenPull_succeeds() throws Exception {
    start(AuthMode.TOKEN, List.of());

    HttpResponse<String> ping = get("/v2/", null);
    assertThat(ping.statusCode()).isEqualTo(401);
    assertThat(ping.headers().firstValue("WWW-Authenticate"))
        .hasValue(
            "Bearer realm=\"http://127.0.0.1:"
                + port
                + "/_cache-proxy/token\",service=\"test-service\"");
    HttpResponse<String> challenge = get("/v2/up/app/manifests/latest", null);
    assertThat(challenge.statusCode()).isEqualTo(401);
    assertThat(challenge.headers().firstValue("WWW-Authenticate").orElseThrow())
        .endsWith(",service=\"test-service\",scope=\"repository:up/app:pull\"");

    String bearer = token("repository:up/app:pull", basic("alice", AuthFixture.ALICE_PASSWORD));
    HttpResponse<String> pulled = get("/v2/up/app/manifests/latest", bearer);

    assertThat(pulled.statusCode()).isEqualTo(200);
    assertThat(pulled.body().getBytes(StandardCharsets.UTF_8)).isEqualTo(MANIFEST);
    assertThat(get("/v2/", bearer).statusCode()).isEqualTo(200);
    assertThat(upstreamManifestRequests.get()).isEqualTo(1);
  }

  @Test
  void token_refusals_neverReachTheUpstream_andDoNotDependOnTheTag() throws Exception {
    start(AuthMode.TOKEN, List.of());
    String alice =
        token(
            "repository:up/secret:pull repository:up/app:pull",
            basic("alice", AuthFixture.ALICE_PASSWORD));

    HttpResponse<String> deniedExisting = get("/v2/up/secret/manifests/latest", alice);
    HttpResponse<String> deniedMissing = get("/v2/up/secret/manifests/nope", alice);
    HttpResponse<String> noTokenExisting = get("/v2/up/app/manifests/latest", null);
    HttpResponse<String> noTokenMissing = get("/v2/up/app/manifests/nope", null);
    HttpResponse<String> forged = get("/v2/up/app/manifests/latest", alice + "x");
    HttpResponse<String> wrongPassword =
        get("/v2/up/app/manifests/latest", basic("alice", "wrong"));

    assertThat(deniedExisting.statusCode()).isEqualTo(403);
    assertThat(deniedExisting.body()).isEqualTo(deniedMissing.body()).contains("DENIED");
    assertThat(noTokenExisting.statusCode()).isEqualTo(401);
    assertThat(noTokenExisting.body()).isEqualTo(noTokenMissing.body()).contains("UNAUTHORIZED");
    assertThat(forged.statusCode()).isEqualTo(401);
    assertThat(forged.headers().firstValue("WWW-Authenticate").orElseThrow())
        .endsWith(",error=\"invalid_token\"");
    assertThat(wrongPassword.statusCode()).isEqualTo(401);
    assertThat(upstreamManifestRequests.get()).isZero();
  }

  @Test
  void token_missingScope_thatTheScopeMapsAllow_isInsufficientScope() throws Exception {
    start(AuthMode.TOKEN, List.of());
    String noScopes = token("registry:catalog:*", basic("alice", AuthFixture.ALICE_PASSWORD));

    HttpResponse<String> response = get("/v2/up/app/manifests/latest", noScopes);

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate").orElseThrow())
        .endsWith(",scope=\"repository:up/app:pull\",error=\"insufficient_scope\"");
    assertThat(upstreamManifestRequests.get()).isZero();
  }

  @Test
  void token_anonymousScopeMaps_getAnonymousTokens() throws Exception {
    start(AuthMode.TOKEN, List.of("readers"));

    String anonymous = token("repository:up/app:pull", null);

    assertThat(get("/v2/up/app/manifests/latest", anonymous).statusCode()).isEqualTo(200);
    assertThat(get("/v2/up/secret/manifests/latest", anonymous).statusCode()).isEqualTo(401);
  }

  @Test
  void token_revokedToken_isRefused_withItsJwts() throws Exception {
    start(AuthMode.TOKEN, List.of());
    TokenStore store = new TokenStore(dir.resolve("data/auth/tokens.json"));
    TokenStore.NewToken ci = store.create("ci", List.of("readers"), null, Instant.now());
    // the token file is re-read at most once a second; a fresh AccessControl sees it at once
    access =
        AccessControl.create(
            AuthFixture.settings(dir, AuthMode.TOKEN, List.of(), null),
            dir.resolve("data"),
            Clock.systemUTC());
    restartWith(access);
    String bearer = token("repository:up/app:pull", basic("ci", ci.secret()));
    assertThat(get("/v2/up/app/manifests/latest", bearer).statusCode()).isEqualTo(200);

    store.revoke("ci");
    restartWith(
        AccessControl.create(
            AuthFixture.settings(dir, AuthMode.TOKEN, List.of(), null),
            dir.resolve("data"),
            Clock.systemUTC()));

    assertThat(get("/v2/up/app/manifests/latest", bearer).statusCode()).isEqualTo(401);
    assertThat(
            get("/_cache-proxy/token?scope=repository:up/app:pull", basic("ci", ci.secret()))
                .statusCode())
        .isEqualTo(401);
  }

  private void restartWith(AccessControl control) {
    undertow.stop();
    undertow =
        Undertow.builder()
            .addHttpListener(port, "127.0.0.1")
            .setHandler(new RegistryHandler(proxy, executor, control))
            .build();
    undertow.start();
  }

  @Test
  void token_post_passwordGrant_issuesAToken_refreshGrantIsUnsupported() throws Exception {
    start(AuthMode.TOKEN, List.of());

    HttpResponse<String> ok =
        post(
            "grant_type=password&username=alice&password="
                + AuthFixture.ALICE_PASSWORD
                + "&service=test-service&scope=repository%3Aup%2Fapp%3Apull"
                + "&client_id=containerd");
    HttpResponse<String> wrong = post("grant_type=password&username=alice&password=nope&scope=x");
    HttpResponse<String> refresh = post("grant_type=refresh_token&refresh_token=abc");

    assertThat(ok.statusCode()).isEqualTo(200);
    String bearer = "Bearer " + JSON.readTree(ok.body()).path("access_token").asText();
    assertThat(get("/v2/up/app/manifests/latest", bearer).statusCode()).isEqualTo(200);
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(refresh.statusCode()).isEqualTo(400);
    assertThat(refresh.body()).contains("unsupported_grant_type");
  }

  private HttpResponse<String> post(String form) throws Exception {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/_cache-proxy/token"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void basic_challengesWithBasic_andPullsWithCredentials() throws Exception {
    start(AuthMode.BASIC, List.of());
    String alice = basic("alice", AuthFixture.ALICE_PASSWORD);

    HttpResponse<String> ping = get("/v2/", null);
    HttpResponse<String> pulled = get("/v2/up/app/manifests/latest", alice);
    HttpResponse<String> denied = get("/v2/up/secret/manifests/latest", alice);
    HttpResponse<String> tokenEndpoint = get("/_cache-proxy/token", alice);

    assertThat(ping.statusCode()).isEqualTo(401);
    assertThat(ping.headers().firstValue("WWW-Authenticate"))
        .hasValue(AccessControl.BASIC_CHALLENGE);
    assertThat(get("/v2/", alice).statusCode()).isEqualTo(200);
    assertThat(pulled.statusCode()).isEqualTo(200);
    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(tokenEndpoint.statusCode()).isEqualTo(404);
    assertThat(upstreamManifestRequests.get()).isEqualTo(1);
  }

  @Test
  void basic_adminEndpoints_needAnAdmin_andCatalogIsFiltered() throws Exception {
    start(AuthMode.BASIC, List.of());
    String alice = basic("alice", AuthFixture.ALICE_PASSWORD);
    String ops = basic("ops", AuthFixture.OPS_PASSWORD);
    assertThat(get("/v2/up/app/manifests/latest", ops).statusCode()).isEqualTo(200);
    assertThat(get("/v2/up/secret/manifests/latest", ops).statusCode()).isEqualTo(200);

    assertThat(get("/_cache-proxy/rules", null).statusCode()).isEqualTo(401);
    assertThat(get("/_cache-proxy/rules", alice).statusCode()).isEqualTo(403);
    assertThat(get("/_cache-proxy/rules", ops).statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(get("/v2/_catalog", ops).body()).path("repositories").toString())
        .isEqualTo("[\"up/app\",\"up/secret\"]");
    assertThat(JSON.readTree(get("/v2/_catalog", alice).body()).path("repositories").toString())
        .isEqualTo("[\"up/app\"]");
    HttpResponse<String> page = get("/v2/_catalog?n=1", ops);
    assertThat(page.headers().firstValue("Link")).isPresent();
    assertThat(get("/v2/_catalog?n=1", alice).headers().firstValue("Link")).isEmpty();
    assertThat(get("/v2/_catalog", null).statusCode()).isEqualTo(401);
    assertThat(get("/v2/up/app/tags/list", basic("ops", "wrong")).statusCode()).isEqualTo(401);
  }

  @Test
  void anonymousMode_needsNoCredentials() throws Exception {
    start(AuthMode.ANONYMOUS, List.of());

    assertThat(get("/v2/", null).statusCode()).isEqualTo(200);
    assertThat(get("/v2/up/secret/manifests/latest", null).statusCode()).isEqualTo(200);
    assertThat(get("/_cache-proxy/token", null).statusCode()).isEqualTo(404);
  }

  @Test
  void token_expiredJwt_isInvalid() throws Exception {
    start(AuthMode.TOKEN, List.of());
    AuthFixture.MutableClock clock = new AuthFixture.MutableClock(Instant.now());
    AccessControl clocked =
        AccessControl.create(
            AuthFixture.settings(dir, AuthMode.TOKEN, List.of(), null), dir.resolve("data"), clock);
    restartWith(clocked);
    String bearer = token("repository:up/app:pull", basic("alice", AuthFixture.ALICE_PASSWORD));
    assertThat(get("/v2/up/app/manifests/latest", bearer).statusCode()).isEqualTo(200);

    clock.advance(Duration.ofMinutes(6));

    HttpResponse<String> expired = get("/v2/up/app/manifests/latest", bearer);
    assertThat(expired.statusCode()).isEqualTo(401);
    assertThat(expired.headers().firstValue("WWW-Authenticate").orElseThrow())
        .contains("error=\"invalid_token\"");
  }
}
