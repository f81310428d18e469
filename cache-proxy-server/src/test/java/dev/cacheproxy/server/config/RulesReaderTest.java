/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.rules.Governance;
import dev.cacheproxy.rules.RepositoryName;
import dev.cacheproxy.rules.Retention;
import dev.cacheproxy.rules.Rule;
import dev.cacheproxy.rules.RulePolicy;
import dev.cacheproxy.rules.RulePolicy.Mode;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The per-rule policy keys, governance and credential-set registry binding. */
class RulesReaderTest {

  private static String refused(String yaml) {
    try {
      ProxyConfig.parse(yaml);
    } catch (ConfigException e) {
      return e.getMessage();
    }
    throw new AssertionError("expected a ConfigException");
  }

  private static String rule(String name, String target, String source, String... extra) {
    StringBuilder yaml =
        new StringBuilder("  - name: ")
            .append(name)
            .append("\n    target: \"")
            .append(target)
            .append("\"\n    source: \"")
            .append(source)
            .append("\"\n");
    for (String line : extra) {
      yaml.append("    ").append(line).append('\n');
    }
    return yaml.toString();
  }

  @Test
  void policyKeys_areRead() {
    ProxyConfig config =
        ProxyConfig.parse(
            "rules:\n"
                + rule(
                    "legacy",
                    "hub/*",
                    "docker.io/*",
                    "mode: readOnly",
                    "tagInclude: [\"v*\", latest]",
                    "tagExclude: [\"*-rc?\"]",
                    "staleIfErrorLimit: 7d",
                    "stripPrefix: \"legacy/\"",
                    "addPrefix: \"mirror/\""));

    Rule legacy = config.rules().rule("legacy").orElseThrow();
    assertThat(legacy.policy())
        .isEqualTo(
            new RulePolicy(
                Mode.READ_ONLY,
                List.of("v*", "latest"),
                List.of("*-rc?"),
                Duration.ofDays(7),
                "legacy/",
                "mirror/"));
    assertThat(
            config.rules().route(RepositoryName.of("hub/legacy/app")).orElseThrow().upstreamName())
        .isEqualTo("docker.io/mirror/app");
    assertThat(ProxyConfig.describe(legacy))
        .isEqualTo(
            "legacy: hub/* -> docker.io/* (mode readOnly) (tagInclude v*, latest)"
                + " (tagExclude *-rc?) (staleIfErrorLimit 7d) (stripPrefix legacy/)"
                + " (addPrefix mirror/)");
  }

  @Test
  void policyKeys_haveTheDocumentedDefaults() {
    ProxyConfig config = ProxyConfig.parse("rules:\n" + rule("a", "a/*", "docker.io/*"));

    assertThat(config.rules().rule("a").orElseThrow().policy()).isEqualTo(RulePolicy.DEFAULT);
    assertThat(config.rules().governance()).isEqualTo(Governance.OPEN);
  }

  @Test
  void modes_areWrittenAsDocumented() {
    for (String mode : List.of("enabled", "readOnly", "disabled")) {
      ProxyConfig config =
          ProxyConfig.parse("rules:\n" + rule("a", "a/*", "docker.io/*", "mode: " + mode));
      assertThat(RuleModes.name(config.rules().rule("a").orElseThrow().policy().mode()))
          .isEqualTo(mode);
    }
    assertThat(refused("rules:\n" + rule("a", "a/*", "docker.io/*", "mode: read-only")))
        .isEqualTo(
            "rules[0].mode (rule 'a'): 'read-only' is not a mode; write enabled, readOnly or"
                + " disabled; did you mean 'readOnly'?");
    assertThat(refused("rules:\n" + rule("a", "a/*", "docker.io/*", "mode: sometimes")))
        .contains("rules[0].mode (rule 'a'): 'sometimes' is not a mode");
    // YAML 1.1 reads on/off as booleans.
    assertThat(refused("rules:\n" + rule("a", "a/*", "docker.io/*", "mode: off")))
        .isEqualTo(
            "rules[0].mode (rule 'a'): write enabled, readOnly or disabled (YAML reads on, off,"
                + " yes and no as true or false)");
  }

  @Test
  void badPolicyValues_nameTheRuleAndField() {
    assertThat(refused("rules:\n" + rule("a", "a/*", "docker.io/*", "tagInclude: v*")))
        .contains("rules[0].tagInclude (rule 'a') must be a list of strings");
    assertThat(refused("rules:\n" + rule("a", "a/*", "docker.io/*", "tagExclude: [1.0, 2]")))
        .contains("rules[0].tagExclude[0] (rule 'a') must be a string");
    assertThat(refused("rules:\n" + rule("a", "a/*", "docker.io/*", "tagInclude: [\"v 1\"]")))
        .contains("rules[0]: rule 'a': field 'tagInclude'")
        .contains("'v 1'");
    assertThat(refused("rules:\n" + rule("a", "a/*", "docker.io/*", "staleIfErrorLimit: week")))
        .contains("rules[0].staleIfErrorLimit (rule 'a')")
        .contains("not a duration");
    assertThat(refused("rules:\n" + rule("a", "a/*", "docker.io/*", "stripPrefix: legacy")))
        .contains("rule 'a': field 'stripPrefix'")
        .contains("'legacy'");
    assertThat(refused("rules:\n" + rule("base", "team/base", "ghcr.io/a/b", "addPrefix: x/")))
        .contains("rule 'base'")
        .contains("'addPrefix'");
    assertThat(refused("rules:\n" + rule("a", "a/*", "docker.io/*", "tagFilter: [v1]")))
        .contains("unknown key 'tagFilter' at rules[0].tagFilter (rule 'a')");
  }

  @Test
  void retentionKeys_areRead() {
    ProxyConfig config =
        ProxyConfig.parse(
            "rules:\n"
                + rule("k8s", "k8s/*", "registry.k8s.io/*", "keepFor: 30d")
                + rule("base", "team/base", "ghcr.io/acme/base", "pinned: true")
                + rule("both", "both/*", "quay.io/*", "keepFor: 12h", "pinned: yes")
                + rule("zero", "zero/*", "quay.io/*", "keepFor: 0s", "pinned: false"));

    assertThat(retentionOf(config, "k8s")).isEqualTo(new Retention(Duration.ofDays(30), false));
    assertThat(retentionOf(config, "base")).isEqualTo(new Retention(null, true));
    assertThat(retentionOf(config, "both")).isEqualTo(new Retention(Duration.ofHours(12), true));
    assertThat(retentionOf(config, "zero")).isEqualTo(new Retention(Duration.ZERO, false));
    assertThat(config.rules().rule("k8s").orElseThrow().policy())
        .isEqualTo(RulePolicy.DEFAULT.withRetention(new Retention(Duration.ofDays(30), false)));
  }

  @Test
  void retention_defaultsToNone() {
    ProxyConfig config = ProxyConfig.parse("rules:\n" + rule("a", "a/*", "docker.io/*"));

    assertThat(retentionOf(config, "a")).isEqualTo(Retention.NONE);
    assertThat(ProxyConfig.builtIn().rules().rules())
        .allSatisfy(r -> assertThat(r.policy().retention()).isEqualTo(Retention.NONE));
  }

  @Test
  void retention_isShownByDescribe() {
    ProxyConfig config =
        ProxyConfig.parse(
            "rules:\n"
                + rule("k8s", "k8s/*", "registry.k8s.io/*", "keepFor: 30d")
                + rule("base", "team/base", "ghcr.io/acme/base", "pinned: true", "keepFor: 90m"));

    assertThat(ProxyConfig.describe(config.rules().rule("k8s").orElseThrow()))
        .isEqualTo("k8s: k8s/* -> registry.k8s.io/* (keepFor 30d)");
    assertThat(ProxyConfig.describe(config.rules().rule("base").orElseThrow()))
        .isEqualTo("base: team/base -> ghcr.io/acme/base (pinned, keepFor 90m)");
    assertThat(ProxyConfig.describe(Retention.NONE)).isEqualTo("none");
    assertThat(ProxyConfig.describe(new Retention(null, true))).isEqualTo("pinned");
  }

  @Test
  void badRetentionValues_nameTheRuleAndField() {
    assertThat(refused("rules:\n" + rule("k8s", "k8s/*", "registry.k8s.io/*", "keepFor: month")))
        .isEqualTo(
            "rules[0].keepFor (rule 'k8s'): 'month' is not a duration; write a number and a unit,"
                + " such as 500ms, 30s, 5m or 1h");
    assertThat(refused("rules:\n" + rule("k8s", "k8s/*", "registry.k8s.io/*", "keepFor: 30")))
        .isEqualTo(
            "rules[0].keepFor (rule 'k8s'): '30' is not a duration; write a number and a unit,"
                + " such as 500ms, 30s, 5m or 1h");
    assertThat(refused("rules:\n" + rule("k8s", "k8s/*", "registry.k8s.io/*", "keepFor: -1d")))
        .startsWith("rules[0].keepFor (rule 'k8s'): '-1d' is not a duration");
    assertThat(refused("rules:\n" + rule("k8s", "k8s/*", "registry.k8s.io/*", "pinned: always")))
        .isEqualTo("rules[0].pinned (rule 'k8s') must be true or false, not 'always'");
    assertThat(refused("rules:\n" + rule("k8s", "k8s/*", "registry.k8s.io/*", "pinned: \"true\"")))
        .isEqualTo("rules[0].pinned (rule 'k8s') must be true or false without quotes, not 'true'");
    assertThat(refused("rules:\n" + rule("k8s", "k8s/*", "registry.k8s.io/*", "keepfor: 30d")))
        .contains("unknown key 'keepfor' at rules[0].keepfor (rule 'k8s')")
        .contains("did you mean 'keepFor'?");
    assertThat(refused("registries:\n  ghcr.io: {keepFor: 30d}\n"))
        .startsWith("unknown key 'keepFor' at registries.ghcr.io.keepFor");
  }

  @Test
  void registryUrls_areTheEndpointsInOrder_forRulesAndNs() {
    ProxyConfig config =
        ProxyConfig.parse(
            """
            registries:
              ghcr.io:
                urls: ["https://mirror.example/", "https://ghcr.io"]
              registry.internal: {urls: ["http://10.0.0.5:5000"]}
            rules:
              - {name: ghcr, target: "ghcr/*", source: "ghcr.io/*"}
            """);

    List<URI> mirrorThenOrigin =
        List.of(URI.create("https://mirror.example"), URI.create("https://ghcr.io"));
    assertThat(config.rules().route(RepositoryName.of("ghcr/acme/app")).orElseThrow().registry())
        .satisfies(r -> assertThat(r.endpoints()).isEqualTo(mirrorThenOrigin));
    assertThat(
            config
                .rules()
                .route(RepositoryName.of("acme/app"), "ghcr.io")
                .orElseThrow()
                .registry()
                .endpoints())
        .isEqualTo(mirrorThenOrigin);
    assertThat(
            config
                .rules()
                .route(RepositoryName.of("team/app"), "registry.internal")
                .orElseThrow()
                .registry()
                .endpoints())
        .containsExactly(URI.create("http://10.0.0.5:5000"));
  }

  @Test
  void registryUrls_errorsNameTheKey() {
    assertThat(
            refused(
                "registries:\n  ghcr.io:\n    url: \"https://a.example\"\n"
                    + "    urls: [\"https://b.example\"]\n"))
        .isEqualTo(
            "registries.ghcr.io.urls: give either url (one endpoint) or urls (endpoints tried in"
                + " order), not both");
    assertThat(refused("registries:\n  ghcr.io:\n    urls: []\n"))
        .startsWith("registries.ghcr.io.urls is empty: list the endpoints to try in order");
    assertThat(refused("registries:\n  ghcr.io:\n    urls: \"https://a.example\"\n"))
        .startsWith("registries.ghcr.io.urls must be a list of strings");
    assertThat(refused("registries:\n  ghcr.io:\n    urls: [\"https://a.example\", 5]\n"))
        .isEqualTo("registries.ghcr.io.urls[1] must be a string, not '5'");
    assertThat(
            refused(
                "registries:\n  ghcr.io:\n    urls: [\"https://a.example\","
                    + " \"https://a.example/\"]\n"))
        .contains("registries: 'ghcr.io'")
        .contains("'https://a.example' is listed twice");
    assertThat(refused("registries:\n  ghcr.io:\n    urls: [\"https://a.example\", \"ftp://b\"]\n"))
        .contains("registries: 'ghcr.io'")
        .contains("http:// or https://");
    assertThat(refused("registries:\n  ghcr.io:\n    url: [\"https://a.example\"]\n"))
        .isEqualTo("registries.ghcr.io.url must be a string, not a list");
    assertThat(refused("registries:\n  ghcr.io:\n    uris: []\n"))
        .contains("unknown key 'uris' at registries.ghcr.io.uris")
        .contains("did you mean 'urls'?");
  }

  private static Retention retentionOf(ProxyConfig config, String rule) {
    return config.rules().rule(rule).orElseThrow().policy().retention();
  }

  @Test
  void governance_limitsTheSourceRegistries() {
    ProxyConfig config =
        ProxyConfig.parse(
            "governance:\n  allowedRegistries: [docker.io, \"127.0.0.1:5001\"]\n  maxRules: 5\n"
                + "rules:\n"
                + rule("hub", "hub/*", "docker.io/*")
                + rule("local", "local/*", "http://127.0.0.1:5001/*"));

    assertThat(config.rules().governance())
        .isEqualTo(new Governance(Set.of("docker.io", "127.0.0.1:5001"), 5));
    assertThat(
            refused(
                "governance:\n  allowedRegistries: [docker.io]\nrules:\n"
                    + rule("hub", "hub/*", "docker.io/*")
                    + rule("quay", "quay/*", "quay.io/*")))
        .contains("rule 'quay'")
        .contains("quay.io")
        .contains("allowedRegistries");
  }

  @Test
  void governance_registryAliases_areNormalized() {
    ProxyConfig config =
        ProxyConfig.parse(
            "governance:\n  allowedRegistries: [index.docker.io]\nrules:\n"
                + rule("hub", "hub/*", "docker.io/*"));

    assertThat(config.rules().governance().allowedRegistries()).containsExactly("docker.io");
  }

  @Test
  void governance_withoutRules_checksTheBuiltInRules() {
    assertThat(refused("governance:\n  allowedRegistries: [docker.io]\n"))
        .contains("rule 'ghcr'")
        .contains("built-in rules");
    assertThat(
            ProxyConfig.parse(
                    "governance:\n  maxRules: 8\n") // the built-in configuration has 8 rules
                .rules()
                .rules())
        .hasSize(8);
  }

  @Test
  void governance_maxRules_isEnforced() {
    assertThat(
            refused(
                "governance:\n  maxRules: 1\nrules:\n"
                    + rule("a", "a/*", "docker.io/*")
                    + rule("b", "b/*", "docker.io/*")))
        .isEqualTo("rules: 2 rules are more than governance.maxRules (1)");
    assertThat(refused("governance:\n  maxRules: 0\n")).contains("governance.maxRules");
  }

  @Test
  void governance_badValues_areRefusedNamingTheKey() {
    assertThat(refused("governance:\n  allowedRegistries: []\n"))
        .contains("governance.allowedRegistries is empty");
    assertThat(refused("governance:\n  allowedRegistries: docker.io\n"))
        .contains("governance.allowedRegistries must be a list of strings");
    assertThat(refused("governance:\n  allowedRegistries: [docker.io, \"http://x\"]\n"))
        .contains("governance.allowedRegistries[1]: 'http://x' is not a registry host");
    assertThat(refused("governance:\n  allowedRegistres: [docker.io]\n"))
        .contains("unknown key 'allowedRegistres' at governance.allowedRegistres")
        .contains("did you mean 'allowedRegistries'?");
    assertThat(refused("governance: open\n")).contains("governance must be a mapping");
  }

  @Test
  void credentialSetBoundToARegistry_isRefusedForRulesPullingElsewhere() {
    String sets =
        "credentials:\n  ghcr:\n    username: u\n    passwordEnv: GHCR\n    registry: ghcr.io\n";

    assertThat(
            refused(
                sets
                    + "rules:\n"
                    + rule("ghcr", "ghcr/*", "ghcr.io/*", "credentials: ghcr")
                    + rule("hub", "hub/*", "docker.io/*", "credentials: ghcr")))
        .isEqualTo("credential set 'ghcr' belongs to ghcr.io; rule 'hub' pulls from docker.io");
    ProxyConfig config =
        ProxyConfig.parse(
            sets + "rules:\n" + rule("ghcr", "ghcr/*", "ghcr.io/*", "credentials: ghcr"));
    assertThat(config.credentials().get("ghcr").registry()).isEqualTo("ghcr.io");
  }

  @Test
  void credentialSetRegistry_isNormalized_andValidated() {
    ProxyConfig config =
        ProxyConfig.parse(
            "credentials:\n  hub:\n    username: u\n    passwordEnv: HUB\n"
                + "    registry: registry-1.docker.io\n"
                + "rules:\n"
                + rule("hub", "hub/*", "docker.io/*", "credentials: hub"));
    assertThat(config.credentials().get("hub").registry()).isEqualTo("docker.io");

    assertThat(
            refused(
                "credentials:\n  hub:\n    username: u\n    passwordEnv: HUB\n"
                    + "    registry: \"https://docker.io\"\n"))
        .contains("credentials.hub.registry: 'https://docker.io' is not a registry host");
  }

  @Test
  void builtInConfiguration_staysValid_withDefaultPolicies() {
    assertThat(ProxyConfig.builtIn().rules().rules())
        .allSatisfy(r -> assertThat(r.policy()).isEqualTo(RulePolicy.DEFAULT));
    assertThat(ProxyConfig.builtIn().rules().governance()).isEqualTo(Governance.OPEN);
  }
}
