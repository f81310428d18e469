/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.core.Digest;
import dev.cacheproxy.server.ProxyServer;
import dev.cacheproxy.server.config.ProxyConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * The proxy under test, started in this JVM on a free port of 127.0.0.1 from a config given as
 * YAML, with its access log ({@code cache-proxy.access}) captured so that tests see which paths and
 * query strings the real clients sent and whether each was a cache hit.
 *
 * <p>The access logger is shared by every proxy in the JVM: the capture assumes one proxy at a
 * time, which is how the client tests use it. Thread-safe.
 */
final class MirrorProxy implements AutoCloseable {

  private static final String ACCESS_LOGGER = "cache-proxy.access";
  private static final String MARKER = "cache-proxy-it-marker=";
  private static final Duration LOG_TIMEOUT = Duration.ofSeconds(30);

  private final ProxyServer server;
  private final Capture capture;
  private final HttpClient http;

  /**
   * One request from the proxy's access log, {@code 127.0.0.1 GET /v2/a/manifests/v1?ns=x 200 574B
   * 3ms MISS rule=ns.x upstream=x/a}; a request that no rule routed (a {@code /v2/} ping, a denied
   * {@code ns}) has no {@code rule=} and {@code upstream=}.
   *
   * @param method the HTTP method
   * @param path the path, without the query string
   * @param query the raw (still URL-encoded) query string without {@code ?}, empty if none
   * @param status the response status
   * @param bytes the response bytes sent
   * @param cache the {@code X-Cache} answer ({@code HIT}, {@code MISS}), or {@code -}
   * @param rule the name of the rule that routed the request, empty if none did
   * @param upstream where the rule sent it, {@code <registry>/<repository>}, empty if nowhere
   */
  record Request(
      String method,
      String path,
      String query,
      int status,
      long bytes,
      String cache,
      String rule,
      String upstream) {

    private static final Pattern LINE =
        Pattern.compile(
            "^\\S+ (\\S+) (\\S+) (\\d{3}) (\\d+)B \\d+ms (\\S+)"
                + "(?: rule=(\\S+) upstream=(\\S+))?(?: .*)?$");

    /** Parses an access log line, or empty if it is not one. */
    static Optional<Request> parse(String line) {
      Matcher m = LINE.matcher(line);
      if (!m.matches()) {
        return Optional.empty();
      }
      String uri = m.group(2);
      int q = uri.indexOf('?');
      return Optional.of(
          new Request(
              m.group(1),
              q < 0 ? uri : uri.substring(0, q),
              q < 0 ? "" : uri.substring(q + 1),
              Integer.parseInt(m.group(3)),
              Long.parseLong(m.group(4)),
              m.group(5),
              m.group(6) == null ? "" : m.group(6),
              m.group(7) == null ? "" : m.group(7)));
    }

    /** The query string decoded, e.g. {@code ns=127.0.0.1:5000}. */
    String decodedQuery() {
      return URLDecoder.decode(query, StandardCharsets.UTF_8);
    }

    /** This request as an {@link AccessLogEntry}, for its blob helpers. */
    AccessLogEntry entry() {
      return new AccessLogEntry(method, path, query, status, bytes, "");
    }

    /** The digest if this is a {@code GET} of a blob. */
    Optional<Digest> blobGet() {
      return method.equals("GET") ? entry().blobDigest() : Optional.empty();
    }

    @Override
    public String toString() {
      return method
          + " "
          + path
          + (query.isEmpty() ? "" : "?" + query)
          + " -> "
          + status
          + " "
          + cache
          + (rule.isEmpty() ? "" : " rule=" + rule + " upstream=" + upstream);
    }
  }

  private MirrorProxy(ProxyServer server, Capture capture) {
    this.server = server;
    this.capture = capture;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  }

  /** Starts a proxy configured by {@code yaml} (port and data folder overridden) on 127.0.0.1. */
  static MirrorProxy start(String yaml, Path dataDir) {
    Capture capture = new Capture();
    capture.start();
    try {
      ProxyConfig config = ProxyConfig.parse(yaml).withPort(0).withDataDirectory(dataDir);
      CacheProxy cacheProxy = config.newCacheProxy();
      return new MirrorProxy(ProxyServer.start(cacheProxy, "127.0.0.1", 0), capture);
    } catch (RuntimeException | Error e) {
      capture.stop();
      throw e;
    }
  }

  /** {@code 127.0.0.1:<port>}. */
  String hostPort() {
    return "127.0.0.1:" + server.port();
  }

  /** {@code http://127.0.0.1:<port>}. */
  String url() {
    return "http://" + hostPort();
  }

  /** The requests logged so far, in the order they finished, without the markers. */
  List<Request> requests() {
    return capture.requests().stream().filter(r -> !r.query().startsWith(MARKER)).toList();
  }

  /**
   * The requests that finished before now, once the log has caught up: a request is logged when its
   * exchange completes, a moment after the client saw the last byte. This sends a marker {@code GET
   * /v2/} and waits until it is logged.
   */
  List<Request> settledRequests() {
    String marker = MARKER + UUID.randomUUID();
    HttpResponse<String> response = get("/v2/?" + marker);
    if (response.statusCode() != 200) {
      throw new AssertionError("marker request to the proxy got HTTP " + response.statusCode());
    }
    long deadline = System.nanoTime() + LOG_TIMEOUT.toNanos();
    while (true) {
      long seen = capture.appended();
      if (capture.requests().stream().anyMatch(r -> r.query().equals(marker))) {
        return requests();
      }
      if (!capture.awaitAppend(seen, deadline)) {
        throw new AssertionError("the marker request never reached the proxy's access log");
      }
    }
  }

  /**
   * Sends {@code GET pathAndQuery} (such as {@code /v2/a/manifests/v1?ns=x}) to the proxy, as a
   * client would, and returns the response with its body as text.
   */
  HttpResponse<String> get(String pathAndQuery) {
    try {
      return http.send(
          HttpRequest.newBuilder(URI.create(url() + pathAndQuery))
              .timeout(Duration.ofSeconds(10))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError("GET " + url() + pathAndQuery + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /**
   * Waits until the logged requests satisfy {@code condition}, then returns them settled.
   *
   * @throws AssertionError naming {@code what} and the logged requests if it does not happen in
   *     time
   */
  List<Request> awaitRequests(Predicate<List<Request>> condition, String what) {
    long deadline = System.nanoTime() + LOG_TIMEOUT.toNanos();
    while (true) {
      long seen = capture.appended();
      if (condition.test(requests())) {
        return settledRequests();
      }
      if (!capture.awaitAppend(seen, deadline)) {
        throw new AssertionError(
            "the proxy's access log never showed " + what + "; it shows:\n" + describe(requests()));
      }
    }
  }

  /** One request per line, for failure messages. */
  static String describe(List<Request> requests) {
    return requests.isEmpty()
        ? "(no requests)"
        : requests.stream().map(Request::toString).collect(Collectors.joining("\n"));
  }

  /** How many {@code GET}s each blob got in {@code requests}, whatever the repository. */
  static Map<Digest, Long> blobGets(List<Request> requests) {
    Map<Digest, Long> counts = new TreeMap<>();
    requests.forEach(r -> r.blobGet().ifPresent(digest -> counts.merge(digest, 1L, Long::sum)));
    return counts;
  }

  /**
   * {@code entries} of a {@link RegistryProcess} without its marker requests ({@code GET
   * /v2/?cache-proxy-it-marker=…}), which {@link RegistryProcess#settledRequests()} leaves in.
   */
  static List<AccessLogEntry> withoutMarkers(List<AccessLogEntry> entries) {
    return entries.stream().filter(e -> !e.query().startsWith(MARKER)).toList();
  }

  /** The requests after the first {@code count}. */
  static List<Request> since(List<Request> requests, int count) {
    return requests.subList(count, requests.size());
  }

  /** Stops the server and the cache, then the log capture. */
  @Override
  public void close() {
    try {
      server.close();
    } finally {
      capture.stop();
    }
  }

  /** Collects the access log lines logged between {@link #start()} and {@link #stop()}. */
  private static final class Capture extends AppenderBase<ILoggingEvent> {
    private final Queue<Request> requests = new ConcurrentLinkedQueue<>();
    private final Object appendLock = new Object();
    private long appended;
    private @Nullable Level savedLevel;

    @Override
    public void start() {
      Logger logger = accessLogger();
      setContext(logger.getLoggerContext());
      savedLevel = logger.getLevel();
      logger.setLevel(Level.INFO);
      super.start();
      logger.addAppender(this);
    }

    @Override
    public void stop() {
      Logger logger = accessLogger();
      logger.detachAppender(this);
      logger.setLevel(savedLevel);
      super.stop();
    }

    @Override
    protected void append(ILoggingEvent event) {
      Request.parse(event.getFormattedMessage()).ifPresent(requests::add);
      synchronized (appendLock) {
        appended++;
        appendLock.notifyAll();
      }
    }

    /** How many events were appended so far. */
    long appended() {
      synchronized (appendLock) {
        return appended;
      }
    }

    /**
     * Waits until more than {@code seen} events were appended or {@code deadline} ({@link
     * System#nanoTime()}) passes; returns whether the former happened.
     */
    boolean awaitAppend(long seen, long deadline) {
      synchronized (appendLock) {
        while (appended == seen) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          try {
            TimeUnit.NANOSECONDS.timedWait(appendLock, left);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
          }
        }
        return true;
      }
    }

    List<Request> requests() {
      return List.copyOf(requests);
    }

    private static Logger accessLogger() {
      if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
        return context.getLogger(ACCESS_LOGGER);
      }
      throw new AssertionError(
          "logback is not the SLF4J binding here (" + LoggerFactory.getILoggerFactory() + ")");
    }
  }
}
