/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.cacheproxy.core.UpstreamResilience;
import dev.cacheproxy.core.UpstreamSettings;
import dev.cacheproxy.rules.Registry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;

/** Shared set-up for the upstream client tests: registries on MockWebServers, fast timeouts. */
final class UpstreamFixtures {

  /** The fixed time of {@link #CLOCK}. */
  static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  /**
   * Short timeouts so failure tests finish fast (MockWebServer answers within milliseconds), and no
   * retries, so that each scripted answer is one call; {@link #RETRYING} retries.
   */
  static final UpstreamSettings SETTINGS =
      new UpstreamSettings(
              Duration.ofSeconds(2),
              Duration.ofSeconds(2),
              Duration.ofMillis(500),
              4,
              16,
              "test-agent/1")
          .withResilience(UpstreamResilience.DEFAULTS.withRetryAttempts(1), Map.of());

  private UpstreamFixtures() {}

  /** The registry a MockWebServer plays, named and reached by 127.0.0.1 and its port. */
  static Registry registry(MockWebServer server) {
    String host = "127.0.0.1:" + server.getPort();
    return new Registry(host, URI.create("http://" + host));
  }

  /** A client with the fixed clock and the given fake ticker. */
  static RegistryClient client(FakeTicker ticker) {
    return new RegistryClient(SETTINGS, ticker, CLOCK);
  }

  /** A client with the fixed clock and a fake ticker that never moves. */
  static RegistryClient client() {
    return client(new FakeTicker());
  }

  /** A 401 Docker-Hub-style bearer challenge naming the token realm on {@code auth}. */
  static MockResponse bearerChallenge(MockWebServer auth, String scope) {
    return new MockResponse.Builder()
        .code(401)
        .addHeader(
            "WWW-Authenticate",
            "Bearer realm=\"http://127.0.0.1:"
                + auth.getPort()
                + "/token\",service=\"registry.test\",scope=\""
                + scope
                + "\"")
        .addHeader("Content-Type", "application/json")
        .body("{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}")
        .build();
  }

  /** A token response. */
  static MockResponse token(String token, int expiresIn) {
    return new MockResponse.Builder()
        .addHeader("Content-Type", "application/json")
        .body("{\"token\":\"" + token + "\",\"expires_in\":" + expiresIn + "}")
        .build();
  }

  /** A fake Caffeine ticker moved by hand. */
  static final class FakeTicker implements Ticker {
    private final AtomicLong nanos = new AtomicLong();

    @Override
    public long read() {
      return nanos.get();
    }

    void advance(Duration d) {
      nanos.addAndGet(d.toNanos());
    }
  }
}
