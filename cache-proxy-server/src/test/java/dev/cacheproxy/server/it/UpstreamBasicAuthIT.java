/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cacheproxy.server.ProxyServer;
import dev.cacheproxy.server.config.ProxyConfig;
import dev.cacheproxy.server.logging.LogSetup;
import java.net.URI;
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
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Pulls through the proxy from a real registry that wants HTTP Basic credentials (htpasswd): with
 * the rule's credentials, whose password the proxy reads from a file; anonymously; and with a wrong
 * password. The password never shows in the proxy's log or in what it answers.
 *
 * <p>Each test starts its own proxy in this JVM and captures everything logged while it runs,
 * {@code dev.cacheproxy} at DEBUG.
 */
class UpstreamBasicAuthIT {

  private static final String USER = "proxyuser";
  private static final String PASSWORD = "s3cret-pass";

  /** {@code USER} with the bcrypt hash (cost 5) of {@code PASSWORD}, as {@code htpasswd -B}. */
  private static final String HTPASSWD =
      USER + ":$2b$05$wJFvoqHcC3NgJ3HEo0kR1uITAWbZ2LknO7XPJvB1JHWmMh6XjamWq";

  private static final String WRONG_PASSWORD = "n0t-the-pass";
  private static final String REPO = "it/basic-auth";
  private static final String TAG = "v1";
  private static final String ACCEPT =
      OciLayout.MANIFEST + ", " + OciLayout.INDEX + ", application/json;q=0.1";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static @Nullable Path classDir;

  private static @Nullable RegistryProcess registryProcess;
  private static @Nullable Skopeo skopeoRunner;
  private static TestImages.@Nullable Image pushed;
  private static @Nullable Path directPull;

  private final LogCapture log = new LogCapture();

  @BeforeAll
  static void startRegistryAndPush() throws Exception {
    Path dir = require(classDir, "classDir");
    skopeoRunner = new Skopeo(dir.resolve("skopeo"));
    registryProcess = RegistryProcess.startWithBasicAuth(dir.resolve("registry"), HTPASSWD);
    TestImages.Image image = TestImages.write(dir.resolve("layout"), TAG, 7007, 1024, 256 * 1024);
    skopeo().push(image.layout(), TAG, registry().ref(REPO, TAG), USER + ":" + PASSWORD);
    Path direct = dir.resolve("direct");
    skopeo().copy(registry().ref(REPO, TAG), direct, USER + ":" + PASSWORD);
    pushed = image;
    directPull = direct;
  }

  @AfterAll
  static void stopRegistry() {
    RegistryProcess registry = registryProcess;
    registryProcess = null;
    if (registry != null) {
      registry.close();
    }
  }

  @BeforeEach
  void captureLog() {
    log.start();
  }

  @AfterEach
  void stopCapturingLog() {
    log.stop();
  }

  @Test
  void privateRule_pullsWithTheRuleCredentials_identicalToAnAuthenticatedDirectPull(
      @TempDir Path tmp) throws Exception {
    try (ProxyServer proxy = startProxy(tmp)) {
      Path proxied = tmp.resolve("proxied");
      skopeo().copy(ref(proxy, "priv/"), proxied);
      Folders.assertIdentical(require(directPull, "directPull"), proxied);
    }
  }

  @Test
  void anonymousRule_isRefused_with403Denied_sayingTheUpstreamWantsCredentials(@TempDir Path tmp)
      throws Exception {
    try (ProxyServer proxy = startProxy(tmp)) {
      Skopeo.Result failed = skopeo().tryCopy(ref(proxy, "anon/"), tmp.resolve("anon"));
      assertThat(failed.exitCode())
          .as("an anonymous pull of a private upstream must fail: %s", failed.describe("ended"))
          .isNotZero();

      HttpResponse<String> response = get(proxy, "/v2/anon/" + REPO + "/manifests/" + TAG);
      assertThat(response.statusCode()).as("status; body %s", response.body()).isEqualTo(403);
      assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
      JsonNode error = firstError(response);
      assertThat(error.path("code").asText()).isEqualTo("DENIED");
      assertThat(error.path("message").asText())
          .as("the message names the upstream and says it refused an anonymous pull")
          .contains(registry().hostPort())
          .contains("asks for a user name and password");
    }
  }

  @Test
  void password_neverShowsInTheLogOrInAnswers(@TempDir Path tmp) throws Exception {
    List<String> answers = new ArrayList<>();
    try (ProxyServer proxy = startProxy(tmp)) {
      // The refused pulls come first: the cache is keyed by upstream repository, not by rule, so
      // once priv/ has cached the image, anon/ and wrong/ are served it without asking upstream.
      for (String prefix : List.of("anon/", "wrong/")) {
        Skopeo.Result failed = skopeo().tryCopy(ref(proxy, prefix), tmp.resolve(prefix));
        assertThat(failed.exitCode()).as(failed.describe("ended")).isNotZero();
        answers.add(failed.stderr());
        for (String path : errorPaths(prefix)) {
          HttpResponse<String> response = get(proxy, path);
          assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(403);
          assertThat(firstError(response).path("code").asText()).isEqualTo("DENIED");
          answers.add(response.body());
        }
      }
      HttpResponse<String> refused = get(proxy, "/v2/wrong/" + REPO + "/manifests/" + TAG);
      assertThat(firstError(refused).path("message").asText())
          .as("a wrong password is reported as a refusal by the upstream")
          .contains(registry().hostPort())
          .contains("refused")
          .contains("credentials");
      skopeo().copy(ref(proxy, "priv/"), tmp.resolve("priv"));
    }
    List<String> logged = log.lines();
    assertThat(logged)
        .as("the capture saw the proxy's access log, so the checks below mean something")
        .anyMatch(line -> line.contains("/v2/priv/" + REPO + "/manifests/" + TAG))
        .anyMatch(line -> line.contains("/v2/wrong/" + REPO + "/manifests/" + TAG));
    for (String secret : secrets()) {
      assertThat(logged).as("log lines").noneMatch(line -> line.contains(secret));
      assertThat(answers).as("answers to clients").noneMatch(answer -> answer.contains(secret));
    }
  }

  /** The passwords, and the {@code Authorization: Basic} values that would carry them. */
  private static List<String> secrets() {
    Base64.Encoder base64 = Base64.getEncoder();
    return List.of(
        PASSWORD,
        WRONG_PASSWORD,
        base64.encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)),
        base64.encodeToString((USER + ":" + WRONG_PASSWORD).getBytes(StandardCharsets.UTF_8)));
  }

  /** Paths of a tag's and a digest's manifest, a blob and the tag list under {@code prefix}. */
  private static List<String> errorPaths(String prefix) {
    TestImages.Image image = require(pushed, "pushed");
    String repo = "/v2/" + prefix + REPO;
    return List.of(
        repo + "/manifests/" + TAG,
        repo + "/manifests/" + image.manifest().digest(),
        repo + "/blobs/" + image.layers().get(0).digest(),
        repo + "/tags/list");
  }

  /**
   * A proxy in front of the registry with three rules: {@code priv/} with the right password,
   * {@code anon/} without credentials and {@code wrong/} with a wrong password, both passwords read
   * from files.
   */
  private static ProxyServer startProxy(Path tmp) throws Exception {
    Path password = Files.writeString(tmp.resolve("password"), PASSWORD + "\n");
    Path wrongPassword = Files.writeString(tmp.resolve("wrong-password"), WRONG_PASSWORD + "\n");
    String upstream = registry().hostPort();
    String yaml =
        """
        server:
          bindAddress: 127.0.0.1
        credentials:
          upstream:
            username: %1$s
            passwordFile: %2$s
          wrong:
            username: %1$s
            passwordFile: %3$s
        rules:
          - name: private
            target: "priv/*"
            source: "http://%4$s/*"
            credentials: upstream
          - name: anonymous
            target: "anon/*"
            source: "http://%4$s/*"
          - name: wrong-password
            target: "wrong/*"
            source: "http://%4$s/*"
            credentials: wrong
        """
            .formatted(USER, password, wrongPassword, upstream);
    ProxyConfig config = ProxyConfig.parse(yaml).withPort(0).withDataDirectory(tmp.resolve("data"));
    return ProxyServer.start(config.newCacheProxy(), config.bindAddress(), config.port());
  }

  private static String ref(ProxyServer proxy, String prefix) {
    return "docker://127.0.0.1:" + proxy.port() + "/" + prefix + REPO + ":" + TAG;
  }

  private static HttpResponse<String> get(ProxyServer proxy, String path) throws Exception {
    try (HttpClient http = HttpClient.newHttpClient()) {
      return http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + path))
              .header("Accept", ACCEPT)
              .timeout(Duration.ofSeconds(30))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    }
  }

  private static JsonNode firstError(HttpResponse<String> response) throws Exception {
    JsonNode error = JSON.readTree(response.body()).path("errors").path(0);
    assertThat(error.isObject()).as("an OCI error body: %s", response.body()).isTrue();
    return error;
  }

  private static RegistryProcess registry() {
    return require(registryProcess, "registry");
  }

  private static Skopeo skopeo() {
    return require(skopeoRunner, "skopeo");
  }

  private static <T> T require(@Nullable T value, String name) {
    if (value == null) {
      throw new IllegalStateException(name + " is not set up: @BeforeAll did not run or failed");
    }
    return value;
  }

  /**
   * Collects every event logged in this JVM between {@link #start()} and {@link #stop()}, with the
   * proxy's own loggers at DEBUG, as text (message and stack trace).
   */
  private static final class LogCapture extends AppenderBase<ILoggingEvent> {
    private static final List<String> PROXY_LOGGERS = List.of("dev.cacheproxy", "cache-proxy");

    private final Queue<String> events = new ConcurrentLinkedQueue<>();
    private final List<@Nullable Level> savedLevels = new ArrayList<>();

    @Override
    public void start() {
      LoggerContext context = context();
      setContext(context);
      for (String name : PROXY_LOGGERS) {
        Logger logger = context.getLogger(name);
        savedLevels.add(logger.getLevel());
        logger.setLevel(Level.DEBUG);
      }
      super.start();
      context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(this);
      // The access log does not go through the root logger (it has its own asynchronous appender).
      context.getLogger(LogSetup.ACCESS_LOGGER).addAppender(this);
    }

    @Override
    public void stop() {
      LoggerContext context = context();
      context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(this);
      context.getLogger(LogSetup.ACCESS_LOGGER).detachAppender(this);
      for (int i = 0; i < savedLevels.size(); i++) {
        context.getLogger(PROXY_LOGGERS.get(i)).setLevel(savedLevels.get(i));
      }
      savedLevels.clear();
      super.stop();
    }

    @Override
    protected void append(ILoggingEvent event) {
      StringBuilder line =
          new StringBuilder(event.getLoggerName()).append(": ").append(event.getFormattedMessage());
      IThrowableProxy thrown = event.getThrowableProxy();
      if (thrown != null) {
        line.append('\n').append(ThrowableProxyUtil.asString(thrown));
      }
      events.add(line.toString());
    }

    /** What was logged so far. */
    List<String> lines() {
      return List.copyOf(events);
    }

    private static LoggerContext context() {
      if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
        return context;
      }
      throw new AssertionError(
          "logback is not the SLF4J binding here (" + LoggerFactory.getILoggerFactory() + ")");
    }
  }
}
