/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * One server process of the run (the upstream registry, cache-proxy or a reference) on a loopback
 * port, with its own folder for configuration, cache and log; {@link #restartEmpty()} starts it
 * again with an empty cache so that a scenario begins cold. Each start picks a new free port.
 */
final class ServedSystem implements AutoCloseable {

  /** What to run: the command for a port, and the repository prefix its clients use. */
  interface Launch {
    /**
     * Writes the configuration under {@code dir} and returns the command serving on {@code port}.
     */
    List<String> command(Path dir, int port) throws IOException;

    /** The prefix of repository names on this system ({@code up/} for cache-proxy's rule). */
    default String prefix() {
      return "";
    }
  }

  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final String name;
  private final Path dir;
  private final Launch launch;
  private @Nullable Process process;
  private int port;

  ServedSystem(String name, Path dir, Launch launch) {
    this.name = name;
    this.dir = dir;
    this.launch = launch;
  }

  /** The system's name in the report. */
  String name() {
    return name;
  }

  /** The port it serves on now. */
  int port() {
    return port;
  }

  /** The name clients use for {@code repository} on this system. */
  String repository(String repository) {
    return launch.prefix() + repository;
  }

  /** The log file of its output. */
  Path log() {
    return dir.resolve("output.log");
  }

  /** The cache folder, emptied by {@link #restartEmpty()}. */
  Path state() {
    return dir.resolve("state");
  }

  /** The process tree's memory and CPU. */
  ProcessStats stats() {
    Process p = process;
    if (p == null) {
      throw new IllegalStateException(name + " is not running");
    }
    return ProcessStats.of(p.pid());
  }

  /** Starts the process and waits until {@code GET /v2/} answers. */
  void start() throws IOException, InterruptedException {
    Files.createDirectories(state());
    port = freePort();
    ProcessBuilder builder =
        new ProcessBuilder(launch.command(dir, port))
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
    Process started = builder.start();
    process = started;
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!started.isAlive()) {
        throw new IOException(
            name + " exited with " + started.exitValue() + " on start:\n" + logTail());
      }
      if (answers()) {
        return;
      }
      started.waitFor(100, TimeUnit.MILLISECONDS);
    }
    throw new IOException(name + " did not answer on port " + port + " in " + START_TIMEOUT);
  }

  /** Stops the process, empties its cache and starts it again. */
  void restartEmpty() throws IOException, InterruptedException {
    stop();
    deleteTree(state());
    start();
  }

  /** Stops the process: SIGTERM, then SIGKILL after 20 s. */
  void stop() throws InterruptedException {
    Process p = process;
    if (p == null) {
      return;
    }
    List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
    p.destroy();
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    tree.forEach(ProcessHandle::destroyForcibly);
    process = null;
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }

  private boolean answers() {
    try {
      HttpURLConnection c =
          (HttpURLConnection)
              URI.create("http://127.0.0.1:" + port + "/v2/").toURL().openConnection();
      c.setConnectTimeout(1000);
      c.setReadTimeout(5000);
      int status = c.getResponseCode();
      c.disconnect();
      return status == 200 || status == 401;
    } catch (IOException e) {
      return false;
    }
  }

  /** The last lines of the log, for error messages. */
  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log(), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(p -> {
            try {
              Files.delete(p);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    }
  }
}
