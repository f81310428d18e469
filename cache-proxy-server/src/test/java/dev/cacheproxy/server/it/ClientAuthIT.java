/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients signing in to the proxy ({@code auth:}), end to end: the real jar in token and basic
 * mode, users made with {@code cache-proxy users add}, a machine token made with {@code cache-proxy
 * tokens create}, a real docker-registry upstream, and skopeo and podman as clients. A valid
 * sign-in pulls byte-identical images; none, a wrong password, an expired JWT, a revoked token or a
 * scope map that does not cover the repository get 401 or 403, the same answer whether the tag
 * exists or not, and the upstream is not asked.
 */
class ClientAuthIT extends EndToEndTestBase {

  private static final String APP = "it/auth-app";
  private static final String OTHER = "it/auth-other";
  private static final String ALICE_PASSWORD = "alice-Pass-1";
  private static final String BOB_PASSWORD = "bob-Pass-2";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Pattern SECRET = Pattern.compile("cpt_[A-Za-z0-9_-]{20,}");

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

  private static String config(Path htpasswd, String mode, String lifetime) {
    return """
    rules:
      - name: upstream
        target: "up/*"
        source: "http://%s/*"
        tagFreshness: 1h
    auth:
      mode: %s
      htpasswd: %s
      tokenLifetime: %s
      scopeMaps:
        app-readers: {"up/it/auth-app": [pull]}
        other-readers: {"up/it/auth-other": [pull]}
      users:
        alice: [app-readers]
        bob: [other-readers]
      admins: [alice]
    """
        .formatted(registry().hostPort(), mode, htpasswd, lifetime);
  }

  @Test
  void tokenMode_validSignInsPull_andEveryOtherClientGets401or403_withoutTouchingTheUpstream(
      @TempDir Path tmp) throws Exception {
    TestImages.Image app = TestImages.write(tmp.resolve("app"), "v1", 8101, 900, 300_000);
    TestImages.Image other = TestImages.write(tmp.resolve("other"), "v1", 8102, 700, 200_000);
    TestImages.Image uncached = TestImages.write(tmp.resolve("v2"), "v2", 8103, 500, 100_000);
    skopeo().push(app.layout(), "v1", registry().ref(APP, "v1"));
    skopeo().push(uncached.layout(), "v2", registry().ref(APP, "v2"));
    skopeo().push(other.layout(), "v1", registry().ref(OTHER, "v1"));
    Path proxyDir = Files.createDirectories(tmp.resolve("proxy"));
    Path htpasswd = proxyDir.resolve("htpasswd");
    addUser(proxyDir, htpasswd, "alice", ALICE_PASSWORD);
    addUser(proxyDir, htpasswd, "bob", BOB_PASSWORD);
    assertThat(Files.readString(htpasswd))
        .as("users add writes bcrypt hashes, never the password")
        .contains("alice:$2")
        .doesNotContain(ALICE_PASSWORD);

    List<String> answers = new ArrayList<>();
    try (AdminJarProxy proxy = AdminJarProxy.start(proxyDir, config(htpasswd, "token", "3s"))) {
      // A valid user pulls with skopeo (token flow) and with podman after podman login.
      skopeo().copy(proxy.ref(APP, "v1"), tmp.resolve("alice"), "alice:" + ALICE_PASSWORD);
      PulledImage.assertIdentical(app, tmp.resolve("alice"));
      skopeo().copy(proxy.ref(OTHER, "v1"), tmp.resolve("bob"), "bob:" + BOB_PASSWORD);
      PulledImage.assertIdentical(other, tmp.resolve("bob"));
      try (Podman podman =
          Podman.create(
              """
              [[registry]]
              location = "%s"
              insecure = true
              """
                  .formatted(proxy.hostPort()))) {
        String podmanRef = proxy.hostPort() + "/up/" + APP + ":v1";
        assertThat(podman.pullInsecure(podmanRef).exitCode())
            .as("podman without login must fail")
            .isNotZero();
        podman.login(proxy.hostPort(), "alice", ALICE_PASSWORD).requireSuccess();
        podman.pullInsecure(podmanRef).requireSuccess();
        assertThat(podman.imageId(podmanRef)).isEqualTo(app.config().digest());
      }

      long upstreamCalls = upstreamCalls(proxy);
      // No credentials: 401 with the Bearer challenge, the same for a tag that exists upstream
      // (v2, not cached) and one that does not.
      Skopeo.Result anonymous = skopeo().tryCopy(proxy.ref(APP, "v2"), tmp.resolve("anon"));
      assertThat(anonymous.exitCode()).as(anonymous.describe("anonymous pull")).isNotZero();
      answers.add(anonymous.stderr());
      HttpResponse<String> exists = get(proxy, "/v2/up/" + APP + "/manifests/v2", null);
      HttpResponse<String> missing = get(proxy, "/v2/up/" + APP + "/manifests/nope", null);
      assertError(exists, 401, "UNAUTHORIZED");
      assertThat(exists.headers().firstValue("WWW-Authenticate").orElse(""))
          .startsWith("Bearer realm=\"http://" + proxy.hostPort() + "/_cache-proxy/token\"")
          .contains("service=\"cache-proxy\"")
          .contains("scope=\"repository:up/" + APP + ":pull\"");
      assertSameAnswer(exists, missing, "v2", "nope");
      answers.add(exists.body());

      // A wrong password: refused at the token endpoint and by skopeo.
      HttpResponse<String> wrong =
          get(proxy, tokenPath("repository:up/" + APP + ":pull"), basic("alice", "not-it"));
      assertError(wrong, 401, "UNAUTHORIZED");
      answers.add(wrong.body());
      Skopeo.Result wrongPull =
          skopeo().tryCopy(proxy.ref(APP, "v2"), tmp.resolve("wrong"), "alice:not-it");
      assertThat(wrongPull.exitCode()).as(wrongPull.describe("wrong password")).isNotZero();
      answers.add(wrongPull.stderr());

      // Signed in, but the scope map does not cover the repository: 403, whether it exists or not.
      String bobToken = token(proxy, "bob", BOB_PASSWORD, "repository:up/" + APP + ":pull");
      HttpResponse<String> bobExists =
          get(proxy, "/v2/up/" + APP + "/manifests/v2", "Bearer " + bobToken);
      HttpResponse<String> bobMissing =
          get(proxy, "/v2/up/" + APP + "/manifests/nope", "Bearer " + bobToken);
      assertError(bobExists, 403, "DENIED");
      assertSameAnswer(bobExists, bobMissing, "v2", "nope");
      assertError(
          get(proxy, "/v2/up/" + APP + "/tags/list", basic("bob", BOB_PASSWORD)), 403, "DENIED");
      Skopeo.Result bobPull =
          skopeo().tryCopy(proxy.ref(APP, "v2"), tmp.resolve("bob2"), "bob:" + BOB_PASSWORD);
      assertThat(bobPull.exitCode()).as(bobPull.describe("bob pulling app")).isNotZero();

      // An expired JWT (tokenLifetime 3s, plus the verifier's 5 s of clock skew): 401
      // invalid_token. The poll asks for the cached v1, so the upstream stays untouched.
      String aliceToken = token(proxy, "alice", ALICE_PASSWORD, "repository:up/" + APP + ":pull");
      assertThat(get(proxy, "/v2/up/" + APP + "/manifests/v1", "Bearer " + aliceToken).statusCode())
          .isEqualTo(200);
      Poll.until(
          "alice's JWT to expire",
          TIMEOUT,
          () -> status(proxy, "/v2/up/" + APP + "/manifests/v1", "Bearer " + aliceToken) == 401,
          proxy::logTail);
      HttpResponse<String> expired =
          get(proxy, "/v2/up/" + APP + "/manifests/v2", "Bearer " + aliceToken);
      assertError(expired, 401, "UNAUTHORIZED");
      assertThat(expired.headers().firstValue("WWW-Authenticate").orElse(""))
          .contains("error=\"invalid_token\"");
      assertThat(upstreamCalls(proxy))
          .as("refused requests for an uncached tag never reach the upstream")
          .isEqualTo(upstreamCalls);

      // The catalog shows each client only what its scope maps grant.
      assertThat(catalog(proxy, token(proxy, "alice", ALICE_PASSWORD, "registry:catalog:*")))
          .containsExactly("up/" + APP);
      assertThat(catalog(proxy, token(proxy, "bob", BOB_PASSWORD, "registry:catalog:*")))
          .containsExactly("up/" + OTHER);

      // A machine token made with `cache-proxy tokens create`, used and then revoked.
      CliResult created =
          cli(
              proxyDir,
              null,
              "tokens",
              "create",
              "ci",
              "--scope-map",
              "app-readers",
              "--config",
              proxy.configFile().toString(),
              "--data-dir",
              proxyDir.resolve("data").toString());
      assertThat(created.exitCode()).as(created.output()).isZero();
      Matcher secret = SECRET.matcher(created.output());
      assertThat(secret.find()).as("the secret is printed once: %s", created.output()).isTrue();
      String ciSecret = secret.group();
      // The server re-reads the tokens file at most once a second.
      Poll.until(
          "the new token to be accepted",
          TIMEOUT,
          () ->
              status(proxy, tokenPath("repository:up/" + APP + ":pull"), basic("ci", ciSecret))
                  == 200,
          proxy::logTail);
      skopeo().copy(proxy.ref(APP, "v1"), tmp.resolve("ci"), "ci:" + ciSecret);
      PulledImage.assertIdentical(app, tmp.resolve("ci"));
      CliResult listed = cli(proxyDir, null, "tokens", "list", "--data-dir", dataDir(proxyDir));
      assertThat(listed.output()).contains("ci").contains("app-readers").doesNotContain(ciSecret);
      CliResult revoked =
          cli(proxyDir, null, "tokens", "revoke", "ci", "--data-dir", dataDir(proxyDir));
      assertThat(revoked.exitCode()).as(revoked.output()).isZero();
      Poll.until(
          "the revoked token to be refused",
          TIMEOUT,
          () ->
              status(proxy, tokenPath("repository:up/" + APP + ":pull"), basic("ci", ciSecret))
                  == 401,
          proxy::logTail);
      Skopeo.Result revokedPull =
          skopeo().tryCopy(proxy.ref(APP, "v1"), tmp.resolve("ci2"), "ci:" + ciSecret);
      assertThat(revokedPull.exitCode()).as(revokedPull.describe("revoked token")).isNotZero();

      // The admin API wants an admin; health and metrics stay open for probes and Prometheus.
      assertThat(proxy.admin("/healthz").statusCode()).isEqualTo(200);
      assertThat(proxy.admin("/metrics").statusCode()).isEqualTo(200);
      assertThat(admin(proxy, "/admin/stats", null).statusCode()).isEqualTo(401);
      assertThat(admin(proxy, "/admin/stats", basic("bob", BOB_PASSWORD)).statusCode())
          .isEqualTo(403);
      assertThat(admin(proxy, "/admin/stats", basic("alice", ALICE_PASSWORD)).statusCode())
          .isEqualTo(200);
      assertThat(get(proxy, "/_cache-proxy/rules", null).statusCode()).isEqualTo(401);

      String log = Files.readString(proxyLog(proxyDir));
      for (String leaked : List.of(ALICE_PASSWORD, BOB_PASSWORD, ciSecret, aliceToken, bobToken)) {
        assertThat(log).as("the server log").doesNotContain(leaked);
        assertThat(answers).as("answers to clients").noneMatch(a -> a.contains(leaked));
      }
    }
  }

  @Test
  void basicMode_signedInUserPulls_othersGet401or403(@TempDir Path tmp) throws Exception {
    TestImages.Image app = TestImages.write(tmp.resolve("app"), "b1", 8201, 800, 150_000);
    skopeo().push(app.layout(), "b1", registry().ref(APP, "b1"));
    Path proxyDir = Files.createDirectories(tmp.resolve("proxy"));
    Path htpasswd = proxyDir.resolve("htpasswd");
    addUser(proxyDir, htpasswd, "alice", ALICE_PASSWORD);
    addUser(proxyDir, htpasswd, "bob", BOB_PASSWORD);
    try (AdminJarProxy proxy = AdminJarProxy.start(proxyDir, config(htpasswd, "basic", "5m"))) {
      skopeo().copy(proxy.ref(APP, "b1"), tmp.resolve("alice"), "alice:" + ALICE_PASSWORD);
      PulledImage.assertIdentical(app, tmp.resolve("alice"));

      HttpResponse<String> anonymous = get(proxy, "/v2/up/" + APP + "/manifests/b1", null);
      assertError(anonymous, 401, "UNAUTHORIZED");
      assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
          .hasValue("Basic realm=\"cache-proxy\"");
      assertThat(get(proxy, "/v2/", null).statusCode()).isEqualTo(401);
      assertThat(get(proxy, "/v2/", basic("alice", ALICE_PASSWORD)).statusCode()).isEqualTo(200);
      assertError(
          get(proxy, "/v2/up/" + APP + "/manifests/b1", basic("alice", "wrong")),
          401,
          "UNAUTHORIZED");
      HttpResponse<String> bob =
          get(proxy, "/v2/up/" + APP + "/manifests/b1", basic("bob", BOB_PASSWORD));
      HttpResponse<String> bobMissing =
          get(proxy, "/v2/up/" + APP + "/manifests/nope", basic("bob", BOB_PASSWORD));
      assertError(bob, 403, "DENIED");
      assertSameAnswer(bob, bobMissing, "b1", "nope");
      assertThat(get(proxy, AccessPaths.TOKEN, basic("alice", ALICE_PASSWORD)).statusCode())
          .as("basic mode serves no token endpoint")
          .isEqualTo(404);
      Skopeo.Result none = skopeo().tryCopy(proxy.ref(APP, "b1"), tmp.resolve("none"));
      assertThat(none.exitCode()).as(none.describe("anonymous pull")).isNotZero();
    }
  }

  /** Paths the tests address. */
  private static final class AccessPaths {
    static final String TOKEN = "/_cache-proxy/token";
  }

  private static String tokenPath(String scope) {
    return AccessPaths.TOKEN
        + "?service=cache-proxy&scope="
        + URLEncoder.encode(scope, StandardCharsets.UTF_8);
  }

  private String token(AdminJarProxy proxy, String user, String password, String scope)
      throws IOException, InterruptedException {
    HttpResponse<String> response = get(proxy, tokenPath(scope), basic(user, password));
    assertThat(response.statusCode()).as("token for %s: %s", user, response.body()).isEqualTo(200);
    JsonNode body = JSON.readTree(response.body());
    String token = body.path("token").asText();
    assertThat(token).as("token in %s", response.body()).isNotEmpty();
    assertThat(body.path("access_token").asText()).isEqualTo(token);
    return token;
  }

  private List<String> catalog(AdminJarProxy proxy, String token)
      throws IOException, InterruptedException {
    HttpResponse<String> response = get(proxy, "/v2/_catalog", "Bearer " + token);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    List<String> names = new ArrayList<>();
    JSON.readTree(response.body()).path("repositories").forEach(n -> names.add(n.asText()));
    return names;
  }

  private long upstreamCalls(AdminJarProxy proxy) throws IOException, InterruptedException {
    return Math.round(
        proxy.metrics().startingWith("cacheproxy_upstream_requests_seconds_count").values().stream()
            .mapToDouble(Double::doubleValue)
            .sum());
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private HttpResponse<String> get(AdminJarProxy proxy, String path, @Nullable String auth)
      throws IOException, InterruptedException {
    return send("http://" + proxy.hostPort() + path, auth);
  }

  private HttpResponse<String> admin(AdminJarProxy proxy, String path, @Nullable String auth)
      throws IOException, InterruptedException {
    return send(proxy.adminUrl() + path, auth);
  }

  private HttpResponse<String> send(String url, @Nullable String auth)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT);
    request.header(
        "Accept", OciLayout.MANIFEST + ", " + OciLayout.INDEX + ", application/json;q=0.1");
    if (auth != null) {
      request.header("Authorization", auth);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private int status(AdminJarProxy proxy, String path, String auth) {
    try {
      return get(proxy, path, auth).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static void assertError(HttpResponse<String> response, int status, String code)
      throws IOException {
    assertThat(response.statusCode()).as("status; body %s", response.body()).isEqualTo(status);
    JsonNode error = JSON.readTree(response.body()).path("errors").path(0);
    assertThat(error.path("code").asText()).as(response.body()).isEqualTo(code);
  }

  /** Two refusals are identical but for the tag each named: they reveal nothing about either. */
  private static void assertSameAnswer(
      HttpResponse<String> a, HttpResponse<String> b, String tagA, String tagB) {
    assertThat(a.statusCode()).isEqualTo(b.statusCode());
    assertThat(a.body().replace(tagA, "TAG")).isEqualTo(b.body().replace(tagB, "TAG"));
    assertThat(a.headers().firstValue("WWW-Authenticate").orElse(""))
        .isEqualTo(b.headers().firstValue("WWW-Authenticate").orElse(""));
  }

  private static String dataDir(Path proxyDir) {
    return proxyDir.resolve("data").toString();
  }

  private static Path proxyLog(Path proxyDir) throws IOException {
    try (var files = Files.list(proxyDir)) {
      return files
          .filter(f -> f.getFileName().toString().startsWith("jar-"))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no server log in " + proxyDir));
    }
  }

  private static void addUser(Path dir, Path htpasswd, String user, String password)
      throws Exception {
    CliResult added =
        cli(
            dir,
            password + "\n",
            "users",
            "add",
            user,
            "--htpasswd",
            htpasswd.toString(),
            "--password-stdin");
    assertThat(added.exitCode()).as(added.output()).isZero();
  }

  /** Exit code and interleaved output of one run of the jar's command line. */
  private record CliResult(int exitCode, String output) {}

  /** Runs {@code java -jar cache-proxy-server.jar args...} in {@code dir} with {@code stdin}. */
  private static CliResult cli(Path dir, @Nullable String stdin, String... args) throws Exception {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> command = new ArrayList<>(List.of(java, "-jar", JarIT.jarFile().toString()));
    command.addAll(List.of(args));
    Path output = Files.createTempFile(dir, "cli-", ".out");
    Process process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    try (var in = process.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    }
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("cache-proxy " + String.join(" ", args) + " did not exit");
    }
    String text = Files.readString(output);
    Files.delete(output);
    return new CliResult(process.exitValue(), text);
  }
}
