/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.cacheproxy.core.spi.Credentials;
import dev.cacheproxy.core.testing.FakeRegistry;
import dev.cacheproxy.rules.RepositoryName;
import dev.cacheproxy.rules.Rule;
import dev.cacheproxy.rules.RulePolicy;
import dev.cacheproxy.rules.RuleSet;
import dev.cacheproxy.rules.Source;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * An authenticated pull through the whole proxy (Docker token flow with the rule's credentials, a
 * blob redirected to another origin) with every cache-proxy logger at {@code TRACE}: no log line,
 * no logged exception and no error a client gets shows the password, the Basic header value or the
 * bearer token; the redirect target never gets them either.
 */
class CacheProxyCredentialsTest {

  private static final String USER = "robot$ci";
  private static final String PASSWORD = "Zq8-not-in-any-log-41";
  private static final String BASIC =
      Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
  private static final String TOKEN = "eyJhbGciOi.bearer-token-never-logged.sig";
  private static final RepositoryName APP = RepositoryName.of("up/team/app");

  @StartStop private final MockWebServer upstream = new MockWebServer();
  @StartStop private final MockWebServer storage = new MockWebServer();
  @TempDir Path data;

  private final FakeRegistry registry = new FakeRegistry();
  private final List<RecordedRequest> storageRequests = new CopyOnWriteArrayList<>();
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final List<Runnable> restore = new ArrayList<>();

  @BeforeEach
  void captureLogs() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    appender.setContext(context);
    appender.start();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(appender);
    restore.add(() -> root.detachAppender(appender));
    for (String name : List.of(org.slf4j.Logger.ROOT_LOGGER_NAME, "dev.cacheproxy")) {
      Logger logger = context.getLogger(name);
      Level before = logger.getLevel();
      logger.setLevel(name.equals("dev.cacheproxy") ? Level.TRACE : Level.DEBUG);
      restore.add(() -> logger.setLevel(before));
    }
  }

  @AfterEach
  void restoreLogging() {
    restore.reversed().forEach(Runnable::run);
    appender.stop();
  }

  @Test
  void authenticatedPull_withRedirectAndFailures_neverShowsACredential() throws Exception {
    FakeRegistry.Image image =
        registry.putImage(
            "team/app",
            "v1",
            "{}".getBytes(StandardCharsets.UTF_8),
            FakeRegistry.randomBytes(70_000, 3));
    upstream.setDispatcher(new TokenAuth(registry, storage));
    storage.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            storageRequests.add(request);
            return registry.dispatch(request);
          }
        });

    try (CacheProxy proxy = newProxy(new Credentials(USER, PASSWORD), "right")) {
      ManifestResult manifest = proxy.manifest(APP, Tag.parse("v1"), List.of());
      assertThat(manifest.manifest().digest()).isEqualTo(image.manifest());
      for (FakeRegistry.Blob blob : image.blobs()) {
        try (BlobStream stream = proxy.blob(APP, blob.digest());
            InputStream in = stream.open(0)) {
          assertThat(in.readAllBytes()).isEqualTo(blob.content());
        }
      }
      ProxyException missing =
          catchThrowableOfType(
              ProxyException.class, () -> proxy.manifest(APP, Tag.parse("nope"), List.of()));
      assertThat(missing.code()).isEqualTo(OciErrorCode.MANIFEST_UNKNOWN);
      assertNoSecret(List.of(missing.toString()), "the error a client gets");
    }

    try (CacheProxy wrongPassword = newProxy(new Credentials(USER, PASSWORD + "-wrong"), "wrong")) {
      ProxyException denied =
          catchThrowableOfType(
              ProxyException.class, () -> wrongPassword.manifest(APP, Tag.parse("v2"), List.of()));
      assertThat(denied.code()).isEqualTo(OciErrorCode.DENIED);
      assertNoSecret(List.of(String.valueOf(denied.getMessage())), "the DENIED error");
    }

    assertThat(storageRequests).as("blobs were redirected to storage").isNotEmpty();
    assertThat(storageRequests)
        .as("the storage origin never gets an Authorization header")
        .allSatisfy(r -> assertThat(r.getHeaders().get("Authorization")).isNull());
    List<String> logged = new ArrayList<>();
    for (ILoggingEvent event : appender.list) {
      logged.add(event.getLoggerName() + " " + event.getFormattedMessage());
      logged.add(String.valueOf(event.getMDCPropertyMap()));
      if (event.getThrowableProxy() != null) {
        logged.add(ThrowableProxyUtil.asString(event.getThrowableProxy()));
      }
    }
    assertThat(logged)
        .as("DEBUG lines of the upstream package were captured")
        .anyMatch(line -> line.startsWith("dev.cacheproxy.core.internal.upstream"));
    assertNoSecret(logged, "the log");
  }

  private CacheProxy newProxy(Credentials credentials, String dataFolder) {
    String source = "http://127.0.0.1:" + upstream.getPort() + "/*";
    Rule rule =
        new Rule(
            "up", "up/*", Source.parse(source), "creds", Duration.ofMinutes(5), RulePolicy.DEFAULT);
    return CacheProxy.builder()
        .rules(RuleSet.of(List.of(rule)))
        .dataDirectory(data.resolve(dataFolder))
        .credentials(name -> name.equals("creds") ? Optional.of(credentials) : Optional.empty())
        .build();
  }

  private static void assertNoSecret(List<String> texts, String where) {
    assertThat(texts)
        .as("%s must not show the password, the Basic value or the token", where)
        .noneMatch(t -> t.contains(PASSWORD) || t.contains(BASIC) || t.contains(TOKEN));
  }

  /**
   * A registry behind the Docker token flow: {@code /token} wants the Basic credentials and hands
   * out {@link #TOKEN}; {@code /v2/…} wants the token and answers a bearer challenge without it.
   * Blob GETs are redirected to the storage server.
   */
  private static final class TokenAuth extends Dispatcher {
    private final FakeRegistry registry;
    private final MockWebServer storage;

    TokenAuth(FakeRegistry registry, MockWebServer storage) {
      this.registry = registry;
      this.storage = storage;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      String path = request.getUrl().encodedPath();
      @Nullable String authorization = request.getHeaders().get("Authorization");
      if (path.equals("/token")) {
        if (!("Basic " + BASIC).equals(authorization)) {
          return new MockResponse.Builder().code(401).body("{\"details\":\"bad login\"}").build();
        }
        return new MockResponse.Builder()
            .addHeader("Content-Type", "application/json")
            .body("{\"token\":\"" + TOKEN + "\",\"expires_in\":300}")
            .build();
      }
      if (!("Bearer " + TOKEN).equals(authorization)) {
        return new MockResponse.Builder()
            .code(401)
            .addHeader(
                "WWW-Authenticate",
                "Bearer realm=\"http://127.0.0.1:"
                    + request.getUrl().port()
                    + "/token\",service=\"registry.test\"")
            .build();
      }
      if (path.contains("/blobs/") && request.getMethod().equals("GET")) {
        return new MockResponse.Builder()
            .code(307)
            .addHeader("Location", "http://127.0.0.1:" + storage.getPort() + path + "?sig=x")
            .build();
      }
      return registry.dispatch(request);
    }
  }
}
