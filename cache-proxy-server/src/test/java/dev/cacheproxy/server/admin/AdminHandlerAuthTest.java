/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.rules.Rule;
import dev.cacheproxy.rules.RuleSet;
import dev.cacheproxy.server.auth.AccessControl;
import dev.cacheproxy.server.auth.AuthFixture;
import dev.cacheproxy.server.auth.AuthMode;
import dev.cacheproxy.server.auth.AuthSettings;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.undertow.Undertow;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin listener's handler with access control in basic mode. */
class AdminHandlerAuthTest {

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @TempDir Path dir;

  private CacheProxy proxy;
  private Undertow undertow;
  private int port;

  private void start(boolean protectMetrics) throws Exception {
    proxy =
        CacheProxy.builder()
            .rules(RuleSet.of(List.of(Rule.of("up", "up/*", "http://127.0.0.1:9/*"))))
            .dataDirectory(dir.resolve("data"))
            .build();
    AuthSettings s = AuthFixture.settings(dir, AuthMode.BASIC, List.of(), null);
    AuthSettings settings =
        new AuthSettings(
            s.mode(),
            s.htpasswd(),
            s.tokensFile(),
            s.signingKeyFile(),
            s.service(),
            s.realm(),
            s.tokenLifetime(),
            s.scopeMaps(),
            s.users(),
            s.anonymous(),
            s.admins(),
            protectMetrics);
    AccessControl access = AccessControl.create(settings, dir.resolve("data"), Clock.systemUTC());
    AdminHandler handler =
        new AdminHandler(
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
            new Readiness(proxy, dir.resolve("data"), Instant::now),
            null,
            null,
            access);
    undertow = Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(handler).build();
    undertow.start();
    port = ((InetSocketAddress) undertow.getListenerInfo().getFirst().getAddress()).getPort();
  }

  @AfterEach
  void stop() {
    undertow.stop();
    proxy.close();
  }

  private HttpResponse<String> get(String path, @Nullable String user, String password)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (user != null) {
      request.header(
          "Authorization",
          "Basic "
              + Base64.getEncoder()
                  .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void adminPaths_needAnAdmin_probesStayOpen() throws Exception {
    start(false);

    HttpResponse<String> anonymous = get("/admin/warm", null, "");
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
        .hasValue(AccessControl.BASIC_CHALLENGE);
    assertThat(get("/status", "alice", AuthFixture.ALICE_PASSWORD).statusCode()).isEqualTo(403);
    assertThat(get("/admin/warm", "ops", "wrong").statusCode()).isEqualTo(401);
    assertThat(get("/admin/warm", "ops", AuthFixture.OPS_PASSWORD).statusCode()).isEqualTo(404);
    assertThat(get("/healthz", null, "").statusCode()).isEqualTo(200);
    assertThat(get("/readyz", null, "").statusCode()).isIn(200, 503);
    assertThat(get("/metrics", null, "").statusCode()).isEqualTo(200);
  }

  @Test
  void protectMetrics_putsMetricsBehindAdmins() throws Exception {
    start(true);

    assertThat(get("/metrics", null, "").statusCode()).isEqualTo(401);
    assertThat(get("/metrics", "ops", AuthFixture.OPS_PASSWORD).statusCode()).isEqualTo(200);
  }
}
