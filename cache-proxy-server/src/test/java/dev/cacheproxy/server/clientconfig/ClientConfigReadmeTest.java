/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.clientconfig;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.server.cli.ServeCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keeps the README's section "Use it as a mirror" in step with the generator: every snippet of
 * every documented {@code client-config} invocation appears there verbatim, in a code block.
 */
class ClientConfigReadmeTest {

  private static final String PROXY = "cache.example:5000";

  private static String readme = "";

  @BeforeAll
  static void readReadme() throws Exception {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("README.md"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("a folder above the working directory holding README.md").isNotNull();
    String text = Files.readString(dir.resolve("README.md"));
    int start = text.indexOf("\n## Use it as a mirror\n");
    assertThat(start).as("README section 'Use it as a mirror'").isNotNegative();
    int end = text.indexOf("\n## ", start + 1);
    readme = end < 0 ? text.substring(start) : text.substring(start, end);
  }

  static Stream<Arguments> documentedInvocations() {
    MirrorTarget hub = MirrorTarget.of(PROXY, "docker.io");
    MirrorTarget ghcr = MirrorTarget.of(PROXY, "ghcr.io");
    return Stream.of(
        Arguments.of("--runtime docker --proxy " + PROXY, ClientRuntime.DOCKER, hub),
        Arguments.of("--runtime containerd --proxy " + PROXY, ClientRuntime.CONTAINERD, hub),
        Arguments.of(
            "--runtime containerd --registry ghcr.io --proxy " + PROXY,
            ClientRuntime.CONTAINERD,
            ghcr),
        Arguments.of(
            "--runtime containerd --registry ghcr.io --path-prefix ghcr --proxy " + PROXY,
            ClientRuntime.CONTAINERD,
            ghcr.withPathPrefix("ghcr")),
        Arguments.of("--runtime podman --proxy " + PROXY, ClientRuntime.PODMAN, hub),
        Arguments.of(
            "--runtime podman --registry ghcr.io --proxy " + PROXY, ClientRuntime.PODMAN, ghcr),
        Arguments.of("--runtime k3s --proxy " + PROXY, ClientRuntime.K3S, hub),
        Arguments.of("--runtime kind --proxy " + PROXY, ClientRuntime.KIND, hub));
  }

  @ParameterizedTest(name = "client-config {0}")
  @MethodSource("documentedInvocations")
  void readme_showsExactlyWhatTheCommandPrints(
      String arguments, ClientRuntime runtime, MirrorTarget target) {
    ClientConfig config = ClientConfigGenerator.generate(runtime, target);
    List<String> args = new ArrayList<>(List.of("client-config"));
    args.addAll(List.of(arguments.split(" ")));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    int code =
        ServeCommand.execute(
            args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));

    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString()).isEqualTo(config.render());
    assertThat(readme).contains("`client-config " + arguments + "`");
    for (GeneratedFile file : config.files()) {
      assertThat(readme).contains(file.path());
      assertThat(readme)
          .as("README code block for %s of client-config %s", file.path(), arguments)
          .containsPattern("```(json|toml|yaml)\n" + Pattern.quote(file.content()) + "```\n");
    }
  }
}
