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

/**
 * The packaged jar started with {@code --config FILE --port P --admin-port A --data-dir D
 * --bind-address 127.0.0.1}, and a way to run its client subcommands ({@code warm}, {@code purge})
 * against its admin listener as a second {@code java -jar} process.
 */
final class AdminJarProxy implements AutoCloseable {

  private final Path dir;
  private final JarIT.JarProcess jar;
  private final int port;
  private final int adminPort;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  private AdminJarProxy(Path dir, JarIT.JarProcess jar, int port, int adminPort) {
    this.dir = dir;
    this.jar = jar;
    this.port = port;
    this.adminPort = adminPort;
  }

  /** Writes {@code yaml} to {@code dir/proxy.yml}, starts the jar and waits until it answers. */
  static AdminJarProxy start(Path dir, String yaml) throws Exception {
    Files.createDirectories(dir);
    Path config = dir.resolve("proxy.yml");
    Files.writeString(config, yaml, StandardCharsets.UTF_8);
    int port = FreePorts.find();
    int adminPort = FreePorts.find();
    JarIT.JarProcess jar =
        JarIT.JarProcess.start(
            dir,
            "--config",
            config.toString(),
            "--port",
            Integer.toString(port),
            "--admin-port",
            Integer.toString(adminPort),
            "--data-dir",
            dir.resolve("data").toString(),
            "--bind-address",
            "127.0.0.1");
    try {
      jar.awaitV2(port);
      jar.awaitOutput(0, "admin listener on", Duration.ofSeconds(30));
    } catch (Throwable e) {
      jar.close();
      throw e;
    }
    return new AdminJarProxy(dir, jar, port, adminPort);
  }

  /** The configuration file the server was started with. */
  Path configFile() {
    return dir.resolve("proxy.yml");
  }

  /** {@code http://127.0.0.1:<admin port>}. */
  String adminUrl() {
    return "http://127.0.0.1:" + adminPort;
  }

  /** {@code 127.0.0.1:<port>}. */
  String hostPort() {
    return "127.0.0.1:" + port;
  }

  /** A skopeo reference to {@code up/<repository>:<tag>} on the proxy. */
  String ref(String repository, String tag) {
    return "docker://" + hostPort() + "/" + InProcessProxy.PREFIX + repository + ":" + tag;
  }

  /** {@code GET path} on the admin listener, the body as text. */
  HttpResponse<String> admin(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(adminUrl() + path))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Scrapes {@code /metrics}. */
  PrometheusText metrics() throws IOException, InterruptedException {
    HttpResponse<String> response = admin("/metrics");
    if (response.statusCode() != 200) {
      throw new AssertionError("GET /metrics: " + response.statusCode() + " " + response.body());
    }
    return PrometheusText.parse(response.body());
  }

  /**
   * Output and exit code of one client subcommand run.
   *
   * @param exitCode the process's exit code
   * @param output standard output and error, interleaved
   */
  record CommandResult(int exitCode, String output) {}

  /**
   * Runs {@code java -jar cache-proxy-server.jar args... --admin <admin URL>} and waits for it to
   * exit (as long as {@link JarIT.JarProcess#awaitExit} waits).
   */
  CommandResult command(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--admin", adminUrl()));
    Path work = Files.createTempDirectory(dir, "cli-");
    try (JarIT.JarProcess cli = JarIT.JarProcess.start(work, all.toArray(String[]::new))) {
      return new CommandResult(cli.awaitExit(), cli.output());
    }
  }

  /** The end of the server's output, for failure messages. */
  String logTail() {
    return jar.logTail();
  }

  /** Stops the server. */
  @Override
  public void close() {
    try {
      jar.close();
    } finally {
      http.shutdownNow();
    }
  }
}
