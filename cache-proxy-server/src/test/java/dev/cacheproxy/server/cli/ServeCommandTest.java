/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.server.admin.AdminServer;
import dev.cacheproxy.server.config.ConfigReloader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServeCommandTest {

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(ServeCommand.Lifecycle lifecycle, String... args) {
    return ServeCommand.commandLine(
            new ServeCommand(lifecycle), new PrintWriter(out, true), new PrintWriter(err, true))
        .execute(args);
  }

  private int run(String... args) {
    return run(
        running -> {
          throw new AssertionError("the server must not start");
        },
        args);
  }

  @Test
  void help_exits0_andShowsTheOptions() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString())
        .contains(
            "--config=FILE",
            "--port=N",
            "--bind-address=ADDR",
            "--data-dir=DIR",
            "--admin-port=N",
            "--version");
  }

  @Test
  void version_exits0() {
    assertThat(run("--version")).isZero();
    assertThat(out.toString()).startsWith("cache-proxy ");
  }

  @Test
  void unknownOption_exits2() {
    assertThat(run("--prot", "5000")).isEqualTo(2);
    assertThat(err.toString()).contains("--prot");
  }

  @Test
  void badPortOption_exits2() {
    assertThat(run("--port", "eighty")).isEqualTo(2);
    assertThat(run("--port", "70000", "--data-dir", dir.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("server.port");
  }

  @Test
  void badConfig_exits2_withTheMessageAndNoStackTrace() throws Exception {
    Path config = dir.resolve("proxy.yaml");
    Files.writeString(config, "server:\n  port: 5000\nrulez: []\n");

    assertThat(run("--config", config.toString())).isEqualTo(2);
    assertThat(err.toString())
        .contains("unknown key 'rulez' at top level")
        .contains(config.toString())
        .doesNotContain("\tat ")
        .doesNotContain("Exception");
  }

  @Test
  void missingConfigFile_exits2() {
    assertThat(run("--config", dir.resolve("nope.yaml").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("nope.yaml does not exist");
  }

  @Test
  void missingSecret_exits2_namingTheSet() throws Exception {
    Path config = dir.resolve("proxy.yaml");
    Files.writeString(
        config,
        "credentials:\n"
            + "  hub:\n"
            + "    username: a\n"
            + "    passwordEnv: CACHE_PROXY_TEST_SURELY_UNSET_VARIABLE\n");

    assertThat(run("--config", config.toString(), "--data-dir", dir.resolve("data").toString()))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains(
            "credentials.hub: environment variable CACHE_PROXY_TEST_SURELY_UNSET_VARIABLE is not"
                + " set");
  }

  @Test
  void start_servesOnTheConfiguredAddress_andStopsWith0() throws Exception {
    Path config = dir.resolve("proxy.yaml");
    Files.writeString(
        config,
        "server:\n"
            + "  bindAddress: 127.0.0.1\n"
            + "rules:\n"
            + "  - name: up\n"
            + "    target: \"*\"\n"
            + "    source: \"http://127.0.0.1:9/*\"\n");
    AtomicInteger status = new AtomicInteger();
    AtomicReference<@Nullable AdminServer> admin = new AtomicReference<>();

    int code =
        run(
            running -> {
              HttpResponse<String> response =
                  call(URI.create("http://127.0.0.1:" + running.server().port() + "/v2/"));
              status.set(response.statusCode());
              admin.set(running.admin());
            },
            "--config",
            config.toString(),
            "--port",
            "0",
            "--data-dir",
            dir.resolve("data").toString());

    assertThat(code).isZero();
    assertThat(status.get()).isEqualTo(200);
    assertThat(admin.get()).as("a file without admin: has no admin listener").isNull();
  }

  @Test
  void bindAddressOption_overridesTheConfiguredAddress() throws Exception {
    // The file says IPv6 loopback; the option moves the listener to 127.0.0.1, where the call
    // below would be refused if the option were ignored.
    Path config = dir.resolve("proxy.yaml");
    Files.writeString(
        config,
        "server:\n"
            + "  bindAddress: \"::1\"\n"
            + "rules:\n"
            + "  - name: up\n"
            + "    target: \"*\"\n"
            + "    source: \"http://127.0.0.1:9/*\"\n");
    AtomicInteger status = new AtomicInteger();

    int code =
        run(
            running ->
                status.set(
                    call(URI.create("http://127.0.0.1:" + running.server().port() + "/v2/"))
                        .statusCode()),
            "--config",
            config.toString(),
            "--bind-address",
            "127.0.0.1",
            "--port",
            "0",
            "--data-dir",
            dir.resolve("data").toString());

    assertThat(code).as("exit code; stderr: %s", err).isZero();
    assertThat(status.get()).isEqualTo(200);
  }

  @Test
  void badBindAddressOption_exits2_likeTheConfigKey() {
    assertThat(run("--bind-address", "127.0.0.1 8080", "--data-dir", dir.toString())).isEqualTo(2);
    assertThat(err.toString())
        .contains("server.bindAddress '127.0.0.1 8080' is not an address")
        .doesNotContain("\tat ");
  }

  @Test
  void portInUse_exits1_withAMessage() throws Exception {
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      Path config = dir.resolve("proxy.yaml");
      Files.writeString(
          config, "server:\n  bindAddress: 127.0.0.1\n  port: " + taken.getLocalPort() + "\n");

      assertThat(run("--config", config.toString(), "--data-dir", dir.resolve("data").toString()))
          .isEqualTo(1);
      assertThat(err.toString())
          .contains("cannot listen on 127.0.0.1:" + taken.getLocalPort())
          .doesNotContain("\tat ");
    }
  }

  @Test
  void withConfig_reloadsTheFile_andTheRulesEndpointShowsIt() throws Exception {
    Path config = dir.resolve("proxy.yaml");
    String yaml =
        "server:\n"
            + "  bindAddress: 127.0.0.1\n"
            + "rules:\n"
            + "  - name: first\n"
            + "    target: \"*\"\n"
            + "    source: \"http://127.0.0.1:9/*\"\n";
    Files.writeString(config, yaml);
    AtomicReference<ConfigReloader.Outcome> outcome = new AtomicReference<>();
    AtomicReference<String> rules = new AtomicReference<>();

    int code =
        run(
            running -> {
              ConfigReloader reloader = running.reloader();
              assertThat(reloader).isNotNull();
              write(config, yaml.replace("first", "second"));
              outcome.set(reloader.reload());
              rules.set(
                  call(URI.create(
                          "http://127.0.0.1:" + running.server().port() + "/_cache-proxy/rules"))
                      .body());
            },
            "--config",
            config.toString(),
            "--port",
            "0",
            "--data-dir",
            dir.resolve("data").toString());

    assertThat(code).as("exit code; stderr: %s", err).isZero();
    assertThat(outcome.get()).isEqualTo(ConfigReloader.Outcome.APPLIED);
    assertThat(rules.get()).contains("\"name\":\"second\"").doesNotContain("first");
  }

  @Test
  void builtInConfig_hasNothingToReload() {
    AtomicReference<@Nullable ConfigReloader> seen = new AtomicReference<>();
    AtomicInteger calls = new AtomicInteger();

    int code =
        run(
            running -> {
              calls.incrementAndGet();
              seen.set(running.reloader());
            },
            "--admin-port",
            "0",
            "--bind-address",
            "127.0.0.1",
            "--port",
            "0",
            "--data-dir",
            dir.resolve("data").toString());

    assertThat(code).isZero();
    assertThat(calls.get()).isEqualTo(1);
    assertThat(seen.get()).isNull();
  }

  @Test
  void adminPortOption_startsTheAdminListener_apartFromTheRegistryPort() throws Exception {
    Path config = dir.resolve("proxy.yaml");
    Files.writeString(config, "server:\n  bindAddress: 127.0.0.1\nadmin:\n  port: 0\n");
    int adminPort = freePort();
    AtomicReference<String> metrics = new AtomicReference<>();
    AtomicReference<String> ready = new AtomicReference<>();
    AtomicInteger registryMetrics = new AtomicInteger();

    int code =
        run(
            running -> {
              AdminServer admin = running.admin();
              assertThat(admin).isNotNull();
              assertThat(admin.port()).isEqualTo(adminPort);
              assertThat(admin.bindAddress()).isEqualTo("127.0.0.1");
              metrics.set(call(URI.create("http://127.0.0.1:" + adminPort + "/metrics")).body());
              ready.set(call(URI.create("http://127.0.0.1:" + adminPort + "/readyz")).body());
              registryMetrics.set(
                  call(URI.create("http://127.0.0.1:" + running.server().port() + "/metrics"))
                      .statusCode());
            },
            "--config",
            config.toString(),
            "--port",
            "0",
            "--admin-port",
            Integer.toString(adminPort),
            "--data-dir",
            dir.resolve("data").toString());

    assertThat(code).as("exit code; stderr: %s", err).isZero();
    assertThat(metrics.get()).contains("jvm_memory_used_bytes");
    assertThat(ready.get()).startsWith("{\"status\":\"UP\"");
    assertThat(registryMetrics.get()).as("the registry port serves no /metrics").isEqualTo(404);
  }

  @Test
  void adminPortZero_turnsTheAdminListenerOff() throws Exception {
    Path config = dir.resolve("proxy.yaml");
    Files.writeString(config, "server:\n  bindAddress: 127.0.0.1\nadmin:\n  port: 1\n");
    AtomicReference<@Nullable AdminServer> admin = new AtomicReference<>();
    AtomicInteger calls = new AtomicInteger();

    int code =
        run(
            running -> {
              calls.incrementAndGet();
              admin.set(running.admin());
            },
            "--config",
            config.toString(),
            "--port",
            "0",
            "--admin-port",
            "0",
            "--data-dir",
            dir.resolve("data").toString());

    assertThat(code).as("exit code; stderr: %s", err).isZero();
    assertThat(calls.get()).isEqualTo(1);
    assertThat(admin.get()).isNull();
  }

  @Test
  void badAdminPortOption_exits2_likeTheConfigKey() {
    assertThat(run("--admin-port", "70000", "--data-dir", dir.toString())).isEqualTo(2);
    assertThat(err.toString())
        .contains("admin.port must be an integer from 0 to 65535, not 70000")
        .doesNotContain("\tat ");
  }

  @Test
  void adminPortInUse_exits1_withAMessage() throws Exception {
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      Path config = dir.resolve("proxy.yaml");
      Files.writeString(
          config,
          "server:\n  bindAddress: 127.0.0.1\n  port: 0\nadmin:\n  port: "
              + taken.getLocalPort()
              + "\n");

      assertThat(run("--config", config.toString(), "--data-dir", dir.resolve("data").toString()))
          .isEqualTo(1);
      assertThat(err.toString())
          .contains("the admin listener cannot listen on 127.0.0.1:" + taken.getLocalPort())
          .doesNotContain("\tat ");
    }
  }

  /** A port free a moment ago, for the one option where 0 does not mean any free port. */
  private static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket socket =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static HttpResponse<String> call(URI uri) throws InterruptedException {
    try (HttpClient client = HttpClient.newHttpClient()) {
      return client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
