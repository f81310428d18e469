/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A real CNCF distribution registry ({@code docker-registry serve}) on 127.0.0.1, the upstream of
 * the end-to-end tests.
 *
 * <p>It keeps its storage, config and log in one folder and its port across {@link #stop()} and
 * {@link #start()}, so a test can take the upstream down and bring it back with the same content.
 * Its stdout and stderr go to {@code registry.log}; the access log lines in it are parsed by {@link
 * #requests()}.
 *
 * <p>{@link #startWithBasicAuth} starts one that asks for a user name and password (htpasswd);
 * without them {@code GET /v2/} answers 401, which is then how it tells it is up.
 *
 * <p>Not thread-safe: one test thread starts and stops it; {@link #requests()} may be called from
 * any thread.
 */
final class RegistryProcess implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration LOG_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration POLL = Duration.ofMillis(25);

  private final Path dir;
  private final Path config;
  private final Path log;
  private final int port;
  private final int anonymousV2Status;
  private final HttpClient http;
  private @Nullable Process process;

  private RegistryProcess(Path dir, int port, @Nullable String htpasswdEntry) throws IOException {
    this.dir = dir;
    this.config = dir.resolve("config.yml");
    this.log = dir.resolve("registry.log");
    this.port = port;
    this.anonymousV2Status = htpasswdEntry == null ? 200 : 401;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    Path storage = Files.createDirectories(dir.resolve("storage"));
    Files.writeString(
        config,
        """
        version: 0.1
        log:
          level: info
          accesslog:
            disabled: false
        storage:
          filesystem:
            rootdirectory: %s
          delete:
            enabled: true
        http:
          addr: 127.0.0.1:%d
          secret: cache-proxy-it
        """
            .formatted(storage.toAbsolutePath(), port),
        StandardCharsets.UTF_8);
    if (htpasswdEntry != null) {
      Path htpasswd = Files.writeString(dir.resolve("htpasswd"), htpasswdEntry + "\n");
      Files.writeString(
          config,
          """
          auth:
            htpasswd:
              realm: basic-realm
              path: %s
          """
              .formatted(htpasswd.toAbsolutePath()),
          StandardCharsets.UTF_8,
          StandardOpenOption.APPEND);
    }
  }

  /**
   * Writes a config into {@code dir} and starts a registry on a free port.
   *
   * @throws AssertionError if docker-registry is missing or does not answer in time
   */
  static RegistryProcess start(Path dir) throws IOException {
    return startNew(dir, null);
  }

  /**
   * Like {@link #start(Path)}, for a registry that wants HTTP Basic credentials (realm {@code
   * basic-realm}) checked against {@code htpasswdEntry}, a line {@code user:<bcrypt hash>}.
   */
  static RegistryProcess startWithBasicAuth(Path dir, String htpasswdEntry) throws IOException {
    return startNew(dir, htpasswdEntry);
  }

  private static RegistryProcess startNew(Path dir, @Nullable String htpasswdEntry)
      throws IOException {
    RequiredTools.dockerRegistry();
    RegistryProcess registry =
        new RegistryProcess(Files.createDirectories(dir), FreePorts.find(), htpasswdEntry);
    registry.start();
    return registry;
  }

  /**
   * Starts the registry (again) on the same port and storage, and waits until {@code GET /v2/}
   * answers as expected: 200, or 401 when it wants credentials.
   */
  void start() throws IOException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("registry on port " + port + " is already running");
    }
    Process started =
        new ProcessBuilder(RequiredTools.dockerRegistry().toString(), "serve", config.toString())
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    process = started;
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!answers(started)) {
      if (!started.isAlive()) {
        throw new AssertionError(
            "docker-registry exited with code " + started.exitValue() + " on start: " + logTail());
      }
      if (System.nanoTime() > deadline) {
        stop();
        throw new AssertionError(
            "docker-registry did not answer GET "
                + url()
                + "/v2/ within "
                + START_TIMEOUT
                + ": "
                + logTail());
      }
      pause(started);
    }
  }

  /** Stops the registry (SIGTERM, then SIGKILL) and waits until it is gone. Idempotent. */
  void stop() {
    Process running = process;
    if (running == null) {
      return;
    }
    process = null;
    running.destroy();
    try {
      if (!running.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        running.destroyForcibly();
        running.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      running.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
  }

  /** Whether the registry process is running. */
  boolean isRunning() {
    Process running = process;
    return running != null && running.isAlive();
  }

  /** The base URL, {@code http://127.0.0.1:<port>}. */
  String url() {
    return "http://" + hostPort();
  }

  /** {@code 127.0.0.1:<port>}, as in image references. */
  String hostPort() {
    return "127.0.0.1:" + port;
  }

  /** The port, the same across restarts. */
  int port() {
    return port;
  }

  /** A skopeo reference to {@code repository:tag} on this registry. */
  String ref(String repository, String tag) {
    return "docker://" + hostPort() + "/" + repository + ":" + tag;
  }

  /** The requests logged so far, in the order they finished, across restarts. */
  List<AccessLogEntry> requests() {
    String text;
    try {
      text = Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + log, e);
    }
    // A line still being written has no newline yet; leave it for the next call.
    text = text.substring(0, text.lastIndexOf('\n') + 1);
    List<AccessLogEntry> entries = new ArrayList<>();
    text.lines().forEach(line -> AccessLogEntry.parse(line).ifPresent(entries::add));
    return List.copyOf(entries);
  }

  /**
   * The requests that finished before now, once the log has caught up.
   *
   * <p>The registry logs a request after its response is complete, which can be a moment after the
   * client saw the last byte. This sends a marker request and waits until it appears in the log:
   * requests that finished before it are above it.
   */
  List<AccessLogEntry> settledRequests() {
    Process running = process;
    if (running == null) {
      return requests();
    }
    String marker = "cache-proxy-it-marker=" + UUID.randomUUID();
    try {
      HttpResponse<Void> response =
          http.send(
              HttpRequest.newBuilder(URI.create(url() + "/v2/?" + marker))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      if (response.statusCode() != anonymousV2Status) {
        throw new AssertionError("marker request got HTTP " + response.statusCode());
      }
    } catch (IOException e) {
      throw new AssertionError("marker request to " + url() + " failed: " + logTail(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
    long deadline = System.nanoTime() + LOG_TIMEOUT.toNanos();
    while (true) {
      List<AccessLogEntry> entries = requests();
      for (int i = entries.size() - 1; i >= 0; i--) {
        if (entries.get(i).query().equals(marker)) {
          return entries.subList(0, i);
        }
      }
      if (System.nanoTime() > deadline || !running.isAlive()) {
        throw new AssertionError(
            "the marker request never reached the access log " + log + ": " + logTail());
      }
      pause(running);
    }
  }

  /**
   * Waits until the logged requests satisfy {@code condition}, then returns them {@linkplain
   * #settledRequests() settled}.
   *
   * @throws AssertionError naming {@code what} and the logged requests if it does not happen in
   *     time
   */
  List<AccessLogEntry> awaitRequests(Predicate<List<AccessLogEntry>> condition, String what) {
    Process running = process;
    long deadline = System.nanoTime() + LOG_TIMEOUT.toNanos();
    while (true) {
      List<AccessLogEntry> entries = requests();
      if (condition.test(entries)) {
        return settledRequests();
      }
      if (running == null || !running.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError(
            "the registry's access log never showed "
                + what
                + "; it shows:\n"
                + entries.stream().map(AccessLogEntry::toString).collect(Collectors.joining("\n"))
                + logTail());
      }
      pause(running);
    }
  }

  /** The end of the registry's log, for failure messages. */
  String logTail() {
    return "\n--- " + log + " (tail) ---\n" + LogTail.of(log);
  }

  private boolean answers(Process running) {
    if (!running.isAlive()) {
      return false;
    }
    try {
      HttpResponse<Void> response =
          http.send(
              HttpRequest.newBuilder(URI.create(url() + "/v2/"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      return response.statusCode() == anonymousV2Status;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Waits a moment between polls; returns early if the process exits. */
  private static void pause(Process running) {
    try {
      running.waitFor(POLL.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
