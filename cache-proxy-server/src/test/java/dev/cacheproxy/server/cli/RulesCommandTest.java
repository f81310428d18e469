/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cache-proxy rules check} and {@code cache-proxy rules explain}. */
class RulesCommandTest {

  private static final String CONFIG =
      """
      credentials:
        hub:
          username: alice
          passwordEnv: CACHE_PROXY_TEST_SURELY_UNSET_VARIABLE
          registry: docker.io
      rules:
        - name: default
          target: "*"
          source: "docker.io/*"
        - name: hub
          target: "hub/*"
          source: "docker.io/*"
          credentials: hub
        - name: bitnami
          target: "hub/bitnami/*"
          source: "docker.io/bitnamilegacy/*"
          credentials: hub
          mode: readOnly
        - name: ghcr
          target: "ghcr/*"
          source: "ghcr.io/*"
        - name: base
          target: "team/base"
          source: "ghcr.io/acme/base"
      """;

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return ServeCommand.commandLine(
            new ServeCommand(running -> {
              throw new AssertionError("the server must not start");
            }),
            new PrintWriter(out, true),
            new PrintWriter(err, true))
        .execute(args);
  }

  private Path file(String yaml) throws Exception {
    return Files.writeString(dir.resolve("proxy.yaml"), yaml);
  }

  @Test
  void check_validFile_printsOkAndTheRuleCount_exits0() throws Exception {
    Path file = file(CONFIG);

    assertThat(run("rules", "check", file.toString())).isZero();
    assertThat(out.toString()).isEqualTo(file + ": OK, 5 rules" + System.lineSeparator());
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void check_fileWithoutRules_countsTheBuiltInOnes() throws Exception {
    Path file = file("server:\n  port: 5001\n");

    assertThat(run("rules", "check", file.toString())).isZero();
    assertThat(out.toString()).startsWith(file + ": OK, 8 rules");
  }

  @Test
  void check_invalidFile_printsTheErrorNamingRuleAndField_exits2() throws Exception {
    Path file = file(CONFIG.replace("mode: readOnly", "mode: sometimes"));

    assertThat(run("rules", "check", file.toString())).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            file
                + ": rules[2].mode (rule 'bitnami'): 'sometimes' is not a mode; write enabled,"
                + " readOnly or disabled"
                + System.lineSeparator());
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void check_credentialSetUsedForAnotherRegistry_exits2() throws Exception {
    Path file =
        file(
            CONFIG.replace(
                "    source: \"ghcr.io/*\"", "    source: \"ghcr.io/*\"\n    credentials: hub"));

    assertThat(run("rules", "check", file.toString())).isEqualTo(2);
    assertThat(err.toString())
        .contains("credential set 'hub' belongs to docker.io; rule 'ghcr' pulls from ghcr.io");
  }

  @Test
  void check_missingFile_exits2() {
    Path missing = dir.resolve("missing.yaml");

    assertThat(run("rules", "check", missing.toString())).isEqualTo(2);
    assertThat(err.toString()).startsWith(missing + ": ").contains("does not exist");
  }

  @Test
  void check_readsSecretsOnlyWhenAsked_andNeverPrintsThem() throws Exception {
    Path file = file(CONFIG);

    assertThat(run("rules", "check", "--secrets", file.toString())).isEqualTo(2);
    assertThat(err.toString())
        .contains(
            "credentials.hub: environment variable CACHE_PROXY_TEST_SURELY_UNSET_VARIABLE is not"
                + " set");
  }

  @Test
  void check_withoutFile_isAUsageError() {
    assertThat(run("rules", "check")).isEqualTo(2);
    assertThat(err.toString()).contains("FILE");
  }

  @Test
  void explain_printsTheWinnerItsUpstreamAndWhyTheOthersLost() throws Exception {
    Path file = file(CONFIG);

    assertThat(run("rules", "explain", file.toString(), "hub/bitnami/redis")).isZero();
    String n = System.lineSeparator();
    assertThat(out.toString())
        .isEqualTo(
            "repository: hub/bitnami/redis"
                + n
                + "rule:       bitnami: hub/bitnami/* -> docker.io/bitnamilegacy/*"
                + " (credentials hub) (mode readOnly)"
                + n
                + "upstream:   docker.io/bitnamilegacy/redis"
                + n
                + "reason:     the longest matching prefix 'hub/bitnami/'; upstream"
                + " docker.io/bitnamilegacy/redis"
                + n
                + "note:       the rule is readOnly: only what is already cached is served"
                + n
                + "other rules:"
                + n
                + "  LOST      hub      matches, but rule 'bitnami' is more specific"
                + n
                + "  LOST      default  matches, but rule 'bitnami' is more specific"
                + n
                + "  NO_MATCH  base     'hub/bitnami/redis' is not 'team/base'"
                + n
                + "  NO_MATCH  ghcr     'hub/bitnami/redis' does not start with 'ghcr/'"
                + n);
    assertThat(out.toString()).doesNotContain("alice");
  }

  @Test
  void explain_staticTarget_beatsWildcards() throws Exception {
    Path file = file(CONFIG);

    assertThat(run("rules", "explain", file.toString(), "team/base")).isZero();
    assertThat(out.toString())
        .contains("rule:       base: team/base -> ghcr.io/acme/base")
        .contains("upstream:   ghcr.io/acme/base")
        .contains("LOST      default  matches, but rule 'base' is more specific");
  }

  @Test
  void explain_noMatch_printsTheReasons_exits1() throws Exception {
    Path file =
        file(
            CONFIG.replace(
                "- name: default\n    target: \"*\"\n    source: \"docker.io/*\"\n  ", ""));

    assertThat(run("rules", "explain", file.toString(), "quay/app")).isEqualTo(1);
    assertThat(out.toString())
        .startsWith(
            "repository: quay/app"
                + System.lineSeparator()
                + "no rule matches"
                + System.lineSeparator()
                + "rules:"
                + System.lineSeparator())
        .contains("NO_MATCH  hub      'quay/app' does not start with 'hub/'")
        .doesNotContain("CHOSEN");
  }

  @Test
  void explain_withNs_showsTheRegistryRouteOrTheDenial() throws Exception {
    Path file = file(CONFIG.replace("rules:\n", "registries:\n  ghcr.io: {}\nrules:\n"));

    assertThat(run("rules", "explain", "--ns", "ghcr.io", file.toString(), "acme/app"))
        .isEqualTo(0);
    assertThat(out.toString())
        .contains("registry:   ghcr.io at https://ghcr.io (registries entry;")
        .contains("upstream:   ghcr.io/acme/app")
        .contains("counted as: ns.ghcr.io");

    out.getBuffer().setLength(0);
    assertThat(run("rules", "explain", "--ns", "ghcr.io", file.toString(), "ghcr/acme/app"))
        .isEqualTo(0);
    assertThat(out.toString())
        .contains("a rule pulling from ghcr.io claims the name")
        .contains("rule:       ghcr: ghcr/* -> ghcr.io/*")
        .contains("upstream:   ghcr.io/acme/app");

    out.getBuffer().setLength(0);
    assertThat(run("rules", "explain", "--ns", "quay.io", file.toString(), "acme/app"))
        .isEqualTo(1);
    assertThat(out.toString()).contains("denied:     registry 'quay.io' (from ?ns=) is not in");
  }

  @Test
  void explain_withNs_showsTheFallbackEndpoints() throws Exception {
    Path file =
        file(
            CONFIG.replace(
                "rules:\n",
                "registries:\n  ghcr.io:\n    urls: [\"https://mirror.example\","
                    + " \"https://b.example\", \"https://ghcr.io\"]\nrules:\n"));

    assertThat(run("rules", "explain", "--ns", "ghcr.io", file.toString(), "acme/app"))
        .isEqualTo(0);
    assertThat(out.toString())
        .contains(
            "registry:   ghcr.io at https://mirror.example (then https://b.example, then"
                + " https://ghcr.io) (registries entry;");
  }

  @Test
  void explain_invalidRepositoryName_exits2() throws Exception {
    Path file = file(CONFIG);

    assertThat(run("rules", "explain", file.toString(), "Hub/App")).isEqualTo(2);
    assertThat(err.toString()).contains("invalid repository name 'Hub/App'");
  }

  @Test
  void explain_invalidFile_exits2() throws Exception {
    Path file = file("rules: []\n");

    assertThat(run("rules", "explain", file.toString(), "app")).isEqualTo(2);
    assertThat(err.toString()).startsWith(file + ": rules: the list is empty");
  }

  @Test
  void rulesWithoutSubcommand_isAUsageError() {
    assertThat(run("rules")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required subcommand").contains("check", "explain");
  }

  @Test
  void help_listsTheRulesCommands() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("rules");
    out.getBuffer().setLength(0);
    assertThat(run("rules", "--help")).isZero();
    assertThat(out.toString()).contains("check", "explain");
  }
}
