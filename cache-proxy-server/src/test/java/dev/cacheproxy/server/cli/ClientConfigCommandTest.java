/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.server.clientconfig.ClientConfigGenerator;
import dev.cacheproxy.server.clientconfig.ClientRuntime;
import dev.cacheproxy.server.clientconfig.MirrorTarget;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** {@code cache-proxy client-config}. */
class ClientConfigCommandTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "client-config";
    System.arraycopy(args, 0, all, 1, args.length);
    return ServeCommand.commandLine(
            new ServeCommand(running -> {
              throw new AssertionError("the server must not start");
            }),
            new PrintWriter(out, true),
            new PrintWriter(err, true))
        .execute(all);
  }

  @Test
  void containerd_printsEachFileUnderItsPath_thenTheUsage() {
    assertThat(run("--runtime", "containerd", "--registry", "ghcr.io", "--proxy", "127.0.0.1:5000"))
        .isZero();
    assertThat(out.toString())
        .isEqualTo(
            ClientConfigGenerator.generate(
                    ClientRuntime.CONTAINERD, MirrorTarget.of("127.0.0.1:5000", "ghcr.io"))
                .render())
        .startsWith(
            """
            # /etc/containerd/certs.d/ghcr.io/hosts.toml
            # containerd asks cache-proxy first, and ghcr.io itself when the proxy fails.
            """)
        .contains("\n# /etc/containerd/config.toml\n")
        .contains("[host.\"http://127.0.0.1:5000\"]")
        .contains("ctr images pull --hosts-dir /etc/containerd/certs.d");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void defaults_dockerHubThroughLocalhost5000() {
    assertThat(run("--runtime", "docker")).isZero();
    assertThat(out.toString())
        .startsWith(
            """
            # /etc/docker/daemon.json
            {
              "registry-mirrors": ["http://localhost:5000"]
            }
            """);
  }

  @Test
  void everyOption_reachesTheGenerator() {
    assertThat(
            run(
                "--runtime=CONTAINERD",
                "--registry=registry.internal:5000",
                "--proxy=cache.example:443",
                "--path-prefix=internal",
                "--tls",
                "--digest-only",
                "--upstream-url=http://registry.internal:5000"))
        .isZero();
    assertThat(out.toString())
        .isEqualTo(
            ClientConfigGenerator.generate(
                    ClientRuntime.CONTAINERD,
                    MirrorTarget.of("cache.example:443", "registry.internal:5000")
                        .withPathPrefix("internal")
                        .withTls(true)
                        .withDigestOnly(true)
                        .withUpstreamUrl(URI.create("http://registry.internal:5000")))
                .render())
        .contains("server = \"http://registry.internal:5000\"")
        .contains("[host.\"https://cache.example:443/v2/internal\"]");
  }

  @Test
  void dockerWithAnotherRegistry_exits2_explainingTheAlternatives_noStackTrace() {
    assertThat(run("--runtime", "docker", "--registry", "ghcr.io")).isEqualTo(2);
    assertThat(err.toString())
        .startsWith("cache-proxy: --registry ghcr.io: dockerd's registry-mirrors only applies")
        .contains("moby#18818", "docker pull localhost:5000/ghcr/OWNER/IMAGE:TAG", "containerd")
        .doesNotContain("\tat ")
        .doesNotContain("Exception");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void invalidValues_exit2_namingTheOption() {
    assertThat(run("--runtime", "podman", "--proxy", "http://cache:5000")).isEqualTo(2);
    assertThat(run("--runtime", "podman", "--registry", "ghcr io")).isEqualTo(2);
    assertThat(run("--runtime", "podman", "--path-prefix", "/ghcr")).isEqualTo(2);
    assertThat(run("--runtime", "podman", "--registry", "registry.internal")).isEqualTo(2);
    assertThat(run("--runtime", "containerd", "--upstream-url", "https://x.example/v2"))
        .isEqualTo(2);
    assertThat(err.toString().lines())
        .hasSize(5)
        .satisfiesExactly(
            line -> assertThat(line).startsWith("cache-proxy: --proxy: "),
            line -> assertThat(line).startsWith("cache-proxy: --registry: "),
            line -> assertThat(line).startsWith("cache-proxy: --path-prefix: "),
            line -> assertThat(line).startsWith("cache-proxy: --path-prefix: "),
            line -> assertThat(line).startsWith("cache-proxy: --upstream-url: "));
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void missingOrUnknownRuntime_exits2() {
    assertThat(run()).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required option: '--runtime=RUNTIME'");
    assertThat(run("--runtime", "rkt")).isEqualTo(2);
    assertThat(err.toString())
        .contains(
            "Invalid value for option '--runtime': 'rkt' is not a runtime; write docker,"
                + " containerd, podman, k3s or kind");
  }

  @Test
  void help_listsTheOptionsAndRuntimes() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString())
        .contains(
            "--runtime=RUNTIME",
            "docker, containerd,",
            "--registry=HOST",
            "--proxy=HOST:PORT",
            "--path-prefix=ALIAS",
            "--tls",
            "--digest-only",
            "--upstream-url=URL");
  }

  @Test
  void topLevelHelp_listsTheSubcommand() {
    assertThat(
            ServeCommand.commandLine(
                    new ServeCommand(running -> {}),
                    new PrintWriter(out, true),
                    new PrintWriter(err, true))
                .execute("--help"))
        .isZero();
    assertThat(out.toString()).contains("client-config");
  }
}
