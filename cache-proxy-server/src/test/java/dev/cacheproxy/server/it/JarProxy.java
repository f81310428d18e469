/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;

import dev.cacheproxy.core.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The packaged jar ({@link JarIT.JarProcess}) started on 127.0.0.1 with {@code --config FILE --port
 * P --data-dir D --bind-address 127.0.0.1}, with what the reload tests need: rewriting the config
 * file the way an editor does (temp file and rename) or in place, waiting for the reload's log
 * line, sending SIGHUP, and plain HTTP requests to the registry API.
 *
 * <p>Not thread-safe, except {@link #get} and {@link #openBlob}, which any thread may call.
 */
final class JarProxy implements AutoCloseable {

  /** The start of the log line of a configuration that was swapped in. */
  static final String RELOADED = "configuration reloaded";

  /** The start of the log line of a configuration that was refused. */
  static final String REFUSED = "configuration reload refused";

  /** Reloads take well under a second; this leaves room for a slow CI machine. */
  private static final Duration RELOAD_TIMEOUT = Duration.ofSeconds(20);

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  private static final String MANIFEST_ACCEPT =
      String.join(
          ", ",
          OciLayout.MANIFEST,
          OciLayout.INDEX,
          "application/vnd.docker.distribution.manifest.v2+json",
          "application/vnd.docker.distribution.manifest.list.v2+json");

  private final JarIT.JarProcess jar;
  private final Path config;
  private final int port;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  private JarProxy(JarIT.JarProcess jar, Path config, int port) {
    this.jar = jar;
    this.config = config;
    this.port = port;
  }

  /**
   * Writes {@code yaml} to {@code dir/config/proxy.yml} (a folder of its own, so the file's watcher
   * sees nothing else), starts the jar in {@code dir} on a free port and waits until it answers and
   * watches the file.
   */
  static JarProxy start(Path dir, String yaml) throws Exception {
    Path config = Files.createDirectories(dir.resolve("config")).resolve("proxy.yml");
    Files.writeString(config, yaml, StandardCharsets.UTF_8);
    int port = FreePorts.find();
    JarIT.JarProcess jar =
        JarIT.JarProcess.start(
            dir,
            "--config",
            config.toString(),
            "--port",
            Integer.toString(port),
            "--data-dir",
            dir.resolve("data").toString(),
            "--bind-address",
            "127.0.0.1");
    try {
      jar.awaitV2(port);
      // The reloader starts after the listener, and a change made before it first reads the file
      // would go unnoticed: wait for its start line, the first line naming the file.
      jar.awaitOutput(0, config.toAbsolutePath().normalize().toString(), RELOAD_TIMEOUT);
    } catch (Throwable e) {
      jar.close();
      throw e;
    }
    return new JarProxy(jar, config, port);
  }

  /** The underlying process: output, liveness, signals. */
  JarIT.JarProcess process() {
    return jar;
  }

  /**
   * Kills the server's JVM with SIGKILL, as {@code kill -9} does: no shutdown hook runs and nothing
   * is flushed or closed. Waits until it is gone and returns its exit code (137 for SIGKILL).
   *
   * @throws AssertionError if the process is not the JVM itself (a wrapper that SIGKILL would take
   *     down while the JVM lives on) or does not exit in time
   */
  int kill() throws IOException, InterruptedException {
    long pid = jar.pid();
    String command =
        ProcessHandle.of(pid)
            .flatMap(handle -> handle.info().command())
            .orElseThrow(
                () -> new AssertionError("the proxy (pid " + pid + ") is gone" + logTail()));
    if (!Path.of(command).getFileName().toString().equals("java")) {
      throw new AssertionError("pid " + pid + " runs " + command + ", not the JVM of the proxy");
    }
    jar.signal("KILL");
    return jar.awaitExit();
  }

  /** The config file the proxy was started with. */
  Path configFile() {
    return config;
  }

  /** A skopeo reference to {@code name:tag} on the proxy, {@code name} including the alias. */
  String ref(String name, String tag) {
    return "docker://127.0.0.1:" + port + "/" + name + ":" + tag;
  }

  /**
   * Replaces the config file the way editors and config management do: writes a temp file beside
   * it, then renames it over the file. Returns the output mark from before the change.
   */
  int replaceConfig(String yaml) throws IOException {
    int mark = jar.outputMark();
    Path temp = Files.createTempFile(config.getParent(), ".proxy-", ".yml.tmp");
    try {
      Files.writeString(temp, yaml, StandardCharsets.UTF_8);
      Files.move(temp, config, ATOMIC_MOVE, REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
    return mark;
  }

  /**
   * Overwrites the config file in place (truncate and write, same inode, no rename). Returns the
   * output mark from before the change.
   */
  int overwriteConfig(String yaml) throws IOException {
    int mark = jar.outputMark();
    Files.writeString(config, yaml, StandardCharsets.UTF_8);
    return mark;
  }

  /** Waits for the reload log line printed after {@code mark} and returns it. */
  String awaitReloaded(int mark) throws IOException, InterruptedException {
    return jar.awaitOutput(mark, RELOADED, RELOAD_TIMEOUT);
  }

  /** Waits for the refused-reload log line printed after {@code mark} and returns it. */
  String awaitRefused(int mark) throws IOException, InterruptedException {
    return jar.awaitOutput(mark, REFUSED, RELOAD_TIMEOUT);
  }

  /** {@code GET path} on the proxy, the body as text. */
  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(request(path).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** {@code GET /v2/<name>/manifests/<tag>}, accepting OCI and Docker manifests and indexes. */
  HttpResponse<byte[]> getManifest(String name, String tag)
      throws IOException, InterruptedException {
    return http.send(
        request("/v2/" + name + "/manifests/" + tag).header("Accept", MANIFEST_ACCEPT).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  /**
   * {@code GET /v2/<name>/blobs/<digest>}, the body as a stream the caller reads at its own pace
   * and closes.
   */
  HttpResponse<InputStream> openBlob(String name, Digest digest)
      throws IOException, InterruptedException {
    return http.send(
        request("/v2/" + name + "/blobs/" + digest).build(),
        HttpResponse.BodyHandlers.ofInputStream());
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(REQUEST_TIMEOUT);
  }

  /** The end of the proxy's output, for failure messages. */
  String logTail() {
    return jar.logTail();
  }

  /** Stops the proxy (SIGTERM, then SIGKILL), then drops any request still open. Idempotent. */
  @Override
  public void close() {
    try {
      jar.close();
    } finally {
      http.shutdownNow();
    }
  }
}
