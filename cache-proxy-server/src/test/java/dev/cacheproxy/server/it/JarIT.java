/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the packaged {@code cache-proxy-server.jar} with {@code java -jar}, as users do. Failsafe
 * runs after {@code package}, so the jar is beside this class's {@code test-classes} folder.
 */
class JarIT extends EndToEndTestBase {

  private static final String REPO = "it/jar";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(60);

  @Test
  void jar_servesPullsThroughTheConfiguredUpstream(@TempDir Path tmp) throws Exception {
    TestImages.Image image = TestImages.write(tmp.resolve("layout"), "v1", 5005, 1024, 256 * 1024);
    skopeo().push(image.layout(), "v1", registry().ref(REPO, "v1"));
    Path direct = tmp.resolve("direct");
    skopeo().copy(registry().ref(REPO, "v1"), direct);
    Path config =
        Files.writeString(tmp.resolve("proxy.yml"), InProcessProxy.configYaml(registry()));
    int port = FreePorts.find();

    try (JarProcess jar = JarProcess.start(tmp, config, port)) {
      jar.awaitV2(port);
      Path proxied = tmp.resolve("proxied");
      skopeo()
          .copy("docker://127.0.0.1:" + port + "/" + InProcessProxy.PREFIX + REPO + ":v1", proxied);
      Folders.assertIdentical(direct, proxied);
      assertThat(jar.isAlive()).as("the proxy is still running%s", jar.logTail()).isTrue();
    }
  }

  @Test
  void jar_exitsWithCode2_onAnUnknownConfigKey(@TempDir Path tmp) throws Exception {
    Path config =
        Files.writeString(
            tmp.resolve("bad.yml"), InProcessProxy.configYaml(registry()) + "bogusSetting: 42\n");

    try (JarProcess jar = JarProcess.start(tmp, config, FreePorts.find())) {
      int exitCode = jar.awaitExit();
      assertThat(exitCode).as("exit code for a bad config%s", jar.logTail()).isEqualTo(2);
      assertThat(jar.output()).as("the error names the unknown key").contains("bogusSetting");
    }
  }

  @Test
  void jar_startsWithTheBuiltInConfiguration_withoutAConfigFile(@TempDir Path tmp)
      throws Exception {
    // No --config: the built-in configuration applies, with the listener moved to loopback (the
    // built-in server.bindAddress is 0.0.0.0) and the admin listener to a free port (the built-in
    // one is 127.0.0.1:5050). Nothing is pulled: the built-in rules point at public registries.
    // Logs are asked for in JSON.
    int port = FreePorts.find();
    int adminPort = FreePorts.find();
    try (JarProcess jar =
        JarProcess.start(
            tmp,
            "--bind-address",
            "127.0.0.1",
            "--port",
            Integer.toString(port),
            "--admin-port",
            Integer.toString(adminPort),
            "--log-format",
            "json",
            "--data-dir",
            tmp.resolve("data").toString())) {
      jar.awaitV2(port);
      assertThat(jar.isAlive()).as("the proxy is still running%s", jar.logTail()).isTrue();
      assertThat(jar.output())
          .as("the startup log shows the listener and lists the built-in rules")
          .contains("listening on http://127.0.0.1:" + port)
          .contains("docker.io");
      ObjectMapper json = new ObjectMapper();
      List<String> lines =
          jar.output().lines().filter(l -> l.contains("listening on http://")).toList();
      assertThat(lines).as("the startup line%s", jar.logTail()).isNotEmpty();
      assertThat(json.readTree(lines.get(0)).path("message").asText())
          .as("logs are JSON objects with the message as a field")
          .contains("listening on http://127.0.0.1:" + port);

      try (HttpClient http = HttpClient.newHttpClient()) {
        HttpResponse<String> health =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/healthz"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        HttpResponse<String> metrics =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body())
            .as("the admin listener exposes JVM and cache metrics")
            .contains("jvm_memory_used_bytes")
            .contains("cacheproxy_storage_used_bytes");
      }
    }
  }

  /** The packaged jar, failing clearly if the build did not make it. */
  static Path jarFile() throws URISyntaxException {
    // <build dir>/test-classes -> <build dir>/cache-proxy-server.jar, whatever the build dir's name
    Path testClasses =
        Path.of(JarIT.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path jar = testClasses.resolveSibling("cache-proxy-server.jar");
    if (!Files.isRegularFile(jar)) {
      throw new AssertionError(
          jar
              + " does not exist: run the integration tests with `mvn verify` (or ./run-tests),"
              + " which packages the jar before Failsafe runs");
    }
    return jar;
  }

  /** A {@code java -jar cache-proxy-server.jar} process with its output in a log file. */
  static final class JarProcess implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final HttpClient http =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private JarProcess(Process process, Path log) {
      this.process = process;
      this.log = log;
    }

    /**
     * Starts {@code java -jar cache-proxy-server.jar --config <config> --port <port> --data-dir
     * <dir>/data} in {@code dir}, with the JVM running this test.
     */
    static JarProcess start(Path dir, Path config, int port) throws Exception {
      return start(
          dir,
          "--config",
          config.toString(),
          "--port",
          Integer.toString(port),
          "--data-dir",
          dir.resolve("data").toString());
    }

    /** Starts the jar with {@code args} and the JVM running this test, in {@code dir}. */
    static JarProcess start(Path dir, String... args) throws Exception {
      return start(dir, List.of(), args);
    }

    /**
     * Starts the jar with {@code args} and the JVM running this test, in {@code dir}, as the
     * command {@code wrapper} runs (a wrapper that must end by exec-ing its arguments, so that the
     * process stopped and signalled is the JVM's).
     */
    static JarProcess start(Path dir, List<String> wrapper, String... args) throws Exception {
      String java =
          ProcessHandle.current()
              .info()
              .command()
              .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      List<String> command = new ArrayList<>(wrapper);
      command.addAll(List.of(java, "-jar", jarFile().toString()));
      command.addAll(List.of(args));
      Path log = Files.createTempFile(dir, "jar-", ".log");
      Process process =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .start();
      return new JarProcess(process, log);
    }

    /** Waits until {@code GET /v2/} on {@code port} answers 200, or 401 when it wants a sign-in. */
    void awaitV2(int port) throws InterruptedException {
      URI uri = URI.create("http://127.0.0.1:" + port + "/v2/");
      long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
      int lastStatus = -1;
      while (true) {
        if (!process.isAlive()) {
          throw new AssertionError(
              "the proxy exited with code "
                  + process.exitValue()
                  + " before answering"
                  + logTail());
        }
        try {
          HttpResponse<Void> response =
              http.send(
                  HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                  HttpResponse.BodyHandlers.discarding());
          lastStatus = response.statusCode();
          // 401: the server answers, and wants clients to sign in (auth.mode basic or token).
          if (lastStatus == 200 || lastStatus == 401) {
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
        process.waitFor(50, TimeUnit.MILLISECONDS);
      }
    }

    /** Waits for the process to exit on its own and returns its exit code. */
    int awaitExit() throws InterruptedException {
      if (!process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("the proxy did not exit within " + EXIT_TIMEOUT + logTail());
      }
      return process.exitValue();
    }

    boolean isAlive() {
      return process.isAlive();
    }

    /** The process id, for signals. */
    long pid() {
      return process.pid();
    }

    /**
     * Sends the process a signal with {@code kill -<signal> <pid>}, such as {@code HUP}.
     *
     * @throws AssertionError if {@code kill} fails or does not finish in time
     */
    void signal(String signal) throws IOException, InterruptedException {
      List<String> command = List.of("kill", "-" + signal, Long.toString(process.pid()));
      Process kill =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .start();
      if (!kill.waitFor(10, TimeUnit.SECONDS)) {
        kill.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish" + logTail());
      }
      String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (kill.exitValue() != 0) {
        throw new AssertionError(
            String.join(" ", command) + " exited with " + kill.exitValue() + ": " + output);
      }
    }

    /** How much the process has printed so far: a mark for {@link #awaitOutput}. */
    int outputMark() throws IOException {
      return output().length();
    }

    /**
     * Waits until the process prints a line containing {@code text} after {@code mark}, and returns
     * that line.
     *
     * @throws AssertionError if the process exits or prints no such line within {@code timeout}
     */
    String awaitOutput(int mark, String text, Duration timeout)
        throws IOException, InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        String output = output();
        // Only whole lines: one still being written has no newline yet.
        String printed = output.substring(0, output.lastIndexOf('\n') + 1);
        int at = printed.indexOf(text, Math.min(mark, printed.length()));
        if (at >= 0) {
          int start = printed.lastIndexOf('\n', at) + 1;
          return printed.substring(start, printed.indexOf('\n', at));
        }
        if (!process.isAlive() || System.nanoTime() > deadline) {
          throw new AssertionError(
              "the proxy did not print '"
                  + text
                  + "' within "
                  + timeout
                  + (process.isAlive() ? "" : " (it exited with code " + process.exitValue() + ")")
                  + logTail());
        }
        process.waitFor(25, TimeUnit.MILLISECONDS);
      }
    }

    /** Everything the process printed so far. */
    String output() throws IOException {
      return Files.readString(log, StandardCharsets.UTF_8);
    }

    String logTail() {
      return "\n--- java -jar output (tail) ---\n" + LogTail.of(log);
    }

    /** Stops the process (SIGTERM, then SIGKILL) and waits for it. */
    @Override
    public void close() {
      if (!process.isAlive()) {
        return;
      }
      process.destroy();
      try {
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(20, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
