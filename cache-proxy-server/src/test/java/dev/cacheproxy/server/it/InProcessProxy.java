/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.core.events.WebhookTarget;
import dev.cacheproxy.server.ProxyServer;
import dev.cacheproxy.server.config.ProxyConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The proxy under test, started in this JVM on a free port of 127.0.0.1 with one rule: {@code
 * up/<repo>} is served from {@code <repo>} on the test's registry, and tags are revalidated on
 * every pull ({@code tagFreshness: 0s}).
 */
final class InProcessProxy implements AutoCloseable {

  /** The alias prefix clients pull through. */
  static final String PREFIX = "up/";

  private final CacheProxy cacheProxy;
  private final ProxyServer server;

  private InProcessProxy(CacheProxy cacheProxy, ProxyServer server) {
    this.cacheProxy = cacheProxy;
    this.server = server;
  }

  /** The config the tests use, with {@code upstream} as the source registry. */
  static String configYaml(RegistryProcess upstream) {
    return """
    server:
      bindAddress: 127.0.0.1
    rules:
      - name: upstream
        target: "up/*"
        source: "http://%s/*"
        tagFreshness: 0s
    """
        .formatted(upstream.hostPort());
  }

  /**
   * The config the tests use, with the registry at {@code upstreamHostPort} as the source, followed
   * by {@code extraYaml} (top-level sections such as {@code upstream:}).
   */
  static String configYaml(String upstreamHostPort, String extraYaml) {
    return """
    server:
      bindAddress: 127.0.0.1
    rules:
      - name: upstream
        target: "up/*"
        source: "http://%s/*"
        tagFreshness: 0s
    """
            .formatted(upstreamHostPort)
        + extraYaml;
  }

  /** Starts a proxy with the config {@code yaml}, caching into {@code dataDir}. */
  static InProcessProxy start(String yaml, Path dataDir) throws Exception {
    ProxyConfig config = ProxyConfig.parse(yaml).withPort(0).withDataDirectory(dataDir);
    CacheProxy cacheProxy = config.newCacheProxy();
    try {
      return new InProcessProxy(cacheProxy, ProxyServer.start(cacheProxy, "127.0.0.1", 0));
    } catch (RuntimeException e) {
      cacheProxy.close();
      throw e;
    }
  }

  /**
   * Starts a proxy with the config {@code yaml} (no credential sets), caching into {@code dataDir}
   * and posting its events to {@code webhooks}.
   */
  static InProcessProxy start(String yaml, Path dataDir, List<WebhookTarget> webhooks)
      throws Exception {
    ProxyConfig config = ProxyConfig.parse(yaml).withPort(0).withDataDirectory(dataDir);
    CacheProxy cacheProxy =
        CacheProxy.builder()
            .rules(config.rules())
            .dataDirectory(config.dataDirectory())
            .storage(config.storage())
            .upstream(config.upstream())
            .webhooks(webhooks)
            .build();
    try {
      return new InProcessProxy(cacheProxy, ProxyServer.start(cacheProxy, "127.0.0.1", 0));
    } catch (RuntimeException e) {
      cacheProxy.close();
      throw e;
    }
  }

  /** Starts a proxy in front of {@code upstream}, caching into {@code dataDir}. */
  static InProcessProxy start(RegistryProcess upstream, Path dataDir) throws Exception {
    ProxyConfig config =
        ProxyConfig.parse(configYaml(upstream)).withPort(0).withDataDirectory(dataDir);
    CacheProxy cacheProxy = config.newCacheProxy();
    try {
      return new InProcessProxy(cacheProxy, ProxyServer.start(cacheProxy, "127.0.0.1", 0));
    } catch (RuntimeException e) {
      cacheProxy.close();
      throw e;
    }
  }

  /** {@code 127.0.0.1:<port>}. */
  String hostPort() {
    return "127.0.0.1:" + server.port();
  }

  /** A skopeo reference to the upstream's {@code repository:tag} pulled through the proxy. */
  String ref(String repository, String tag) {
    return "docker://" + hostPort() + "/" + PREFIX + repository + ":" + tag;
  }

  /** Sends {@code GET path} to the proxy and reads the answer as text. */
  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    try (HttpClient http = HttpClient.newHttpClient()) {
      return http.send(
          HttpRequest.newBuilder(URI.create("http://" + hostPort() + path))
              .timeout(Duration.ofSeconds(30))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    }
  }

  /** Stops the server, then the cache. */
  @Override
  public void close() throws Exception {
    try {
      server.close();
    } finally {
      cacheProxy.close();
    }
  }
}
