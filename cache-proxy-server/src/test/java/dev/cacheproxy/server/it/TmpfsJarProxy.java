/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packaged jar on 127.0.0.1 with a small disk of its own: it runs in a mount namespace of its
 * own ({@code unshare --mount}) with a tmpfs of a fixed size over its data directory, so that
 * filling the disk fills only that tmpfs, and the tmpfs goes away with the process, even when it is
 * killed.
 *
 * <p>The tmpfs is visible only inside the namespace: on the machine, the data directory stays an
 * empty folder. {@link #dataDir()} reads it through {@code /proc/<pid>/root}, which resolves paths
 * in the process's namespace. Needs root (see {@link RequiredTools#root()}).
 *
 * <p>Not thread-safe: one test thread starts and stops it.
 */
final class TmpfsJarProxy implements AutoCloseable {

  /**
   * Mounts a tmpfs of {@code $1} bytes over the folder {@code $2}, then becomes the rest; exits 125
   * when the mount fails, so that the server never runs on the machine's disk.
   */
  private static final String SCRIPT =
      "mount -n -t tmpfs -o size=$1,mode=0755 cache-proxy-it \"$2\" || exit 125;"
          + " shift 2; exec \"$@\"";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration POLL = Duration.ofMillis(50);

  private final Process process;
  private final Path log;
  private final Path dataDir;
  private final int port;

  private TmpfsJarProxy(Process process, Path log, Path dataDir, int port) {
    this.process = process;
    this.log = log;
    this.dataDir = dataDir;
    this.port = port;
  }

  /**
   * Writes {@code yaml} to {@code dir/config/proxy.yml} and starts the jar in {@code dir} with
   * {@code --data-dir dir/data} on a tmpfs of {@code tmpfsBytes}, on a free port; waits until it
   * answers {@code GET /v2/}.
   */
  static TmpfsJarProxy start(Path dir, String yaml, long tmpfsBytes) throws Exception {
    RequiredTools.root();
    // The config file gets a folder of its own, so that its watcher sees nothing else change.
    Path config =
        Files.writeString(
            Files.createDirectories(dir.resolve("config")).resolve("proxy.yml"),
            yaml,
            StandardCharsets.UTF_8);
    Path dataDir = Files.createDirectories(dir.resolve("data")).toAbsolutePath();
    int port = FreePorts.find();
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> command =
        new ArrayList<>(
            List.of(
                RequiredTools.unshare().toString(),
                "--mount",
                "--propagation",
                "private",
                "/bin/sh",
                "-c",
                SCRIPT,
                "tmpfs-data-dir",
                Long.toString(tmpfsBytes),
                dataDir.toString(),
                java,
                "-jar",
                JarIT.jarFile().toString(),
                "--config",
                config.toString(),
                "--port",
                Integer.toString(port),
                "--data-dir",
                dataDir.toString(),
                "--bind-address",
                "127.0.0.1"));
    Path log = Files.createTempFile(dir, "jar-", ".log");
    Process process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    TmpfsJarProxy proxy = new TmpfsJarProxy(process, log, dataDir, port);
    try {
      proxy.awaitV2();
    } catch (Throwable e) {
      proxy.close();
      throw e;
    }
    return proxy;
  }

  /** The data directory as the server sees it, the tmpfs, read through {@code /proc/<pid>/root}. */
  Path dataDir() {
    return Path.of("/proc", Long.toString(process.pid()), "root")
        .resolve(Path.of("/").relativize(dataDir));
  }

  /** A skopeo reference to {@code name:tag} on the proxy, {@code name} including the alias. */
  String ref(String name, String tag) {
    return "docker://127.0.0.1:" + port + "/" + name + ":" + tag;
  }

  /** Whether the server is running. */
  boolean isAlive() {
    return process.isAlive();
  }

  /** Everything the server printed so far. */
  String output() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  /** The end of the server's output, for failure messages. */
  String logTail() {
    return "\n--- java -jar output (tail) ---\n" + LogTail.of(log);
  }

  /** Stops the server (SIGTERM, then SIGKILL); its tmpfs goes with it. Idempotent. */
  @Override
  public void close() {
    if (process.isAlive()) {
      CommandRunner.stop(process, "cache-proxy", STOP_TIMEOUT);
    }
  }

  private void awaitV2() throws InterruptedException {
    URI uri = URI.create("http://127.0.0.1:" + port + "/v2/");
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
      int lastStatus = -1;
      while (true) {
        if (!process.isAlive()) {
          throw new AssertionError(
              "the proxy exited with code "
                  + process.exitValue()
                  + " before answering (125: the tmpfs could not be mounted)"
                  + logTail());
        }
        try {
          lastStatus =
              http.send(
                      HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                      HttpResponse.BodyHandlers.discarding())
                  .statusCode();
          if (lastStatus == 200) {
            return;
          }
        } catch (IOException e) {
          // not listening yet
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError(
              "GET "
                  + uri
                  + " did not answer 200 within "
                  + START_TIMEOUT
                  + " (last status "
                  + lastStatus
                  + ")"
                  + logTail());
        }
        process.waitFor(POLL.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
  }
}
