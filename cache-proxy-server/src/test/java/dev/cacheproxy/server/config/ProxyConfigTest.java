/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.ProxyException;
import dev.cacheproxy.core.UpstreamResilience;
import dev.cacheproxy.core.UpstreamSettings;
import dev.cacheproxy.core.spi.Credentials;
import dev.cacheproxy.core.storage.StorageSettings;
import dev.cacheproxy.rules.RepositoryName;
import dev.cacheproxy.rules.Route;
import dev.cacheproxy.rules.Rule;
import dev.cacheproxy.server.logging.LogFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProxyConfigTest {

  @TempDir Path dir;

  private static final String FULL =
      """
      server:
        port: 5001
        bindAddress: 127.0.0.1
      storage:
        dataDir: /var/cache/proxy
      upstream:
        connectTimeout: 5s
        responseTimeout: 1m
        idleTimeout: 500ms
        maxConnectionsPerRegistry: 8
        maxConnectionsTotal: 16
      credentials:
        hub:
          username: alice
          passwordEnv: HUB_TOKEN
        ghcr:
          username: bob
          passwordFile: /run/secrets/ghcr
      rules:
        - name: hub
          target: "hub/*"
          source: "docker.io/*"
          credentials: hub
          tagFreshness: 1h
        - name: base
          target: team/base
          source: ghcr.io/acme/base
          credentials: ghcr
          tagFreshness: 0s
      """;

  private static String message(Runnable action) {
    try {
      action.run();
    } catch (ConfigException e) {
      return e.getMessage();
    }
    throw new AssertionError("expected a ConfigException");
  }

  private static String refused(String yaml) {
    return message(() -> ProxyConfig.parse(yaml));
  }

  @Test
  void builtIn_hasTheDocumentedDefaults() {
    ProxyConfig config = ProxyConfig.builtIn();

    assertThat(config.port()).isEqualTo(5000);
    assertThat(config.bindAddress()).isEqualTo("0.0.0.0");
    assertThat(config.dataDirectory()).isEqualTo(Path.of("./data"));
    assertThat(config.upstream()).isEqualTo(UpstreamSettings.DEFAULTS);
    assertThat(config.storage()).isEqualTo(StorageSettings.DEFAULTS);
    assertThat(config.credentials()).isEmpty();
    assertThat(config.rules().rules())
        .extracting(Rule::name)
        .containsExactly("default", "hub", "ghcr", "quay", "k8s", "mcr", "gcr", "ecr-public");
    assertThat(upstreamOf(config, "nginx")).isEqualTo("docker.io/library/nginx");
    assertThat(upstreamOf(config, "hub/bitnami/redis")).isEqualTo("docker.io/bitnami/redis");
    assertThat(upstreamOf(config, "ghcr/acme/app")).isEqualTo("ghcr.io/acme/app");
    assertThat(upstreamOf(config, "quay/coreos/etcd")).isEqualTo("quay.io/coreos/etcd");
    assertThat(upstreamOf(config, "k8s/pause")).isEqualTo("registry.k8s.io/pause");
    assertThat(upstreamOf(config, "mcr/dotnet/runtime"))
        .isEqualTo("mcr.microsoft.com/dotnet/runtime");
    assertThat(upstreamOf(config, "gcr/distroless/static")).isEqualTo("gcr.io/distroless/static");
    assertThat(upstreamOf(config, "ecr/docker/library/alpine"))
        .isEqualTo("public.ecr.aws/docker/library/alpine");
  }

  @Test
  void builtIn_listsTheWellKnownRegistriesForNs() {
    ProxyConfig config = ProxyConfig.builtIn();
    assertThat(config.rules().registries().entries())
        .extracting(e -> e.registry().host())
        .containsExactly(
            "docker.io",
            "ghcr.io",
            "quay.io",
            "registry.k8s.io",
            "mcr.microsoft.com",
            "gcr.io",
            "public.ecr.aws");
    RepositoryName name = RepositoryName.of("acme/app");
    assertThat(config.rules().route(name, "ghcr.io").orElseThrow().upstreamName())
        .isEqualTo("ghcr.io/acme/app");
    assertThat(config.rules().route(name, "docker.io").orElseThrow().rule().name())
        .isEqualTo("default");
    // a file without rules keeps the built-in registries; with its own rules, it lists none
    assertThat(ProxyConfig.parse("server: {port: 1}").rules().registries())
        .isSameAs(config.rules().registries());
    assertThat(
            ProxyConfig.parse(
                    "rules: [{name: a, target: \"*\", source: \"http://127.0.0.1:5001/*\"}]")
                .rules()
                .registries()
                .isEmpty())
        .isTrue();
  }

  @Test
  void registries_readEveryKey_andRulesUseTheirUrl() {
    ProxyConfig config =
        ProxyConfig.parse(
            """
            credentials:
              internal: {username: bot, passwordEnv: TOKEN, registry: registry.internal}
            registries:
              docker.io:
              registry.internal: {url: "http://127.0.0.1:5001", credentials: internal, tagFreshness: 1m}
            rules:
              - {name: default, target: "*", source: "docker.io/*"}
              - {name: internal, target: "int/*", source: "registry.internal/*"}
            """);
    Route internal = config.rules().route(RepositoryName.of("int/team/app")).orElseThrow();
    assertThat(internal.registry().endpoint()).hasToString("http://127.0.0.1:5001");
    Route ns =
        config.rules().route(RepositoryName.of("team/app"), "registry.internal").orElseThrow();
    assertThat(ns.rule().credentials()).isEqualTo("internal");
    assertThat(ns.rule().tagFreshness()).isEqualTo(Duration.ofMinutes(1));
    assertThat(ns.upstreamName()).isEqualTo("registry.internal/team/app");
  }

  @Test
  void registries_errorsNameTheRegistry() {
    assertThat(refused("registries: [docker.io]")).contains("registries must be a map");
    assertThat(refused("registries: {\"bad host\": {}}")).contains("registries: 'bad host'");
    assertThat(refused("registries: {ghcr.io: {uri: \"https://x\"}}")).contains("uri");
    assertThat(refused("registries: {ghcr.io: {url: \"ftp://x\"}}")).contains("http://");
    assertThat(refused("registries: {ghcr.io: {credentials: nope}}"))
        .contains("registries: 'ghcr.io': field 'credentials' names 'nope'");
    assertThat(refused("registries: {docker.io: {}, index.docker.io: {}}"))
        .contains("listed twice");
    assertThat(
            refused(
                "governance: {allowedRegistries: [docker.io]}\nregistries: {ghcr.io: {}}\n"
                    + "rules: [{name: a, target: \"*\", source: \"docker.io/*\"}]"))
        .contains("registries: 'ghcr.io' is not in allowedRegistries");
  }

  @Test
  void upstream_resilienceKeys_areRead() {
    UpstreamSettings upstream =
        ProxyConfig.parse(
                """
                upstream:
                  keepDeletedTags: false
                  retryAttempts: 5
                  retryBackoff: 100ms
                  retryMaxBackoff: 2s
                  circuitBreaker:
                    failureRate: "75%"
                    minimumCalls: 5
                    window: 50
                    openFor: 1m
                  maxConcurrentRequests: 16
                  maxQueueTime: 0s
                  requestsPerSecond: 2.5
                """)
            .upstream();

    assertThat(upstream.keepDeletedTags()).isFalse();
    assertThat(upstream.resilience())
        .isEqualTo(
            new UpstreamResilience(
                5,
                Duration.ofMillis(100),
                Duration.ofSeconds(2),
                75,
                5,
                50,
                Duration.ofMinutes(1),
                16,
                Duration.ZERO,
                2.5));
    assertThat(upstream.registries()).isEmpty();
    assertThat(
            ProxyConfig.parse(
                    "upstream: {requestsPerSecond: 10, circuitBreaker: {failureRate: 40}}")
                .upstream()
                .resilience())
        .isEqualTo(
            UpstreamResilience.DEFAULTS
                .withLimits(64, Duration.ofSeconds(30), 10)
                .withCircuit(40, 10, 20, Duration.ofSeconds(30)));
  }

  @Test
  void upstream_registries_inheritTheUpstreamLevel_notTheDefaults() {
    UpstreamSettings upstream =
        ProxyConfig.parse(
                """
                upstream:
                  retryAttempts: 4
                  circuitBreaker: {window: 40, openFor: 10s}
                  registries:
                    index.docker.io:
                      requestsPerSecond: 10
                      circuitBreaker: {failureRate: 25, minimumCalls: 30}
                    GHCR.io:
                      retryAttempts: 1
                      maxQueueTime: 5s
                    quay.io: {}
                """)
            .upstream();

    UpstreamResilience common =
        UpstreamResilience.DEFAULTS
            .withRetryAttempts(4)
            .withCircuit(50, 10, 40, Duration.ofSeconds(10));
    assertThat(upstream.resilience()).isEqualTo(common);
    assertThat(upstream.registries()).containsOnlyKeys("docker.io", "ghcr.io", "quay.io");
    assertThat(upstream.resilienceFor("docker.io"))
        .isEqualTo(
            common
                .withCircuit(25, 30, 40, Duration.ofSeconds(10))
                .withLimits(64, Duration.ofSeconds(30), 10));
    assertThat(upstream.resilienceFor("ghcr.io"))
        .isEqualTo(common.withRetryAttempts(1).withLimits(64, Duration.ofSeconds(5), 0));
    assertThat(upstream.resilienceFor("quay.io")).isEqualTo(common);
    assertThat(upstream.resilienceFor("gcr.io")).isEqualTo(common);
  }

  @Test
  void upstream_resilience_hasTheDocumentedDefaults() {
    UpstreamSettings upstream = ProxyConfig.parse("upstream:\n  connectTimeout: 5s\n").upstream();

    assertThat(upstream.resilience()).isEqualTo(UpstreamResilience.DEFAULTS);
    assertThat(upstream.registries()).isEmpty();
    assertThat(upstream.keepDeletedTags()).isTrue();
    assertThat(ProxyConfig.parse("upstream:\n  registries:\n    docker.io:\n").upstream())
        .isEqualTo(
            UpstreamSettings.DEFAULTS.withResilience(
                UpstreamResilience.DEFAULTS, Map.of("docker.io", UpstreamResilience.DEFAULTS)));
  }

  @Test
  void upstream_resilienceErrors_nameTheKeyPath() {
    assertThat(refused("upstream:\n  circuitBreaker:\n    failurRate: 50\n"))
        .isEqualTo(
            "unknown key 'failurRate' at upstream.circuitBreaker.failurRate: expected one of"
                + " failureRate, minimumCalls, window, openFor; did you mean 'failureRate'?");
    assertThat(refused("upstream:\n  registries:\n    docker.io:\n      retryAttemps: 2\n"))
        .startsWith("unknown key 'retryAttemps' at upstream.registries.docker.io.retryAttemps")
        .endsWith("did you mean 'retryAttempts'?");
    assertThat(refused("upstream:\n  registries:\n    docker.io: {connectTimeout: 5s}\n"))
        .startsWith("unknown key 'connectTimeout' at upstream.registries.docker.io.connectTimeout");
    assertThat(refused("upstream: {retryAtempts: 2}")).contains("did you mean 'retryAttempts'?");
    assertThat(
            refused(
                "upstream:\n  registries:\n    docker.io:\n      circuitBreaker:\n"
                    + "        failureRate: 150%\n"))
        .isEqualTo(
            "upstream.registries.docker.io.circuitBreaker.failureRate must be a percentage from 1"
                + " to 100, such as 50 or \"50%\", not '150%'");
    assertThat(refused("upstream: {circuitBreaker: {failureRate: 0}}"))
        .startsWith("upstream.circuitBreaker.failureRate must be a percentage from 1 to 100");
    assertThat(refused("upstream: {circuitBreaker: {failureRate: 0.5}}"))
        .startsWith("upstream.circuitBreaker.failureRate must be a percentage");
    assertThat(refused("upstream: {circuitBreaker: {failureRate: half}}")).endsWith("not 'half'");
    assertThat(refused("upstream: {circuitBreaker: {minimumCalls: 30}}"))
        .isEqualTo(
            "upstream.circuitBreaker.minimumCalls (30) must not be more than"
                + " upstream.circuitBreaker.window (20, the default)");
    assertThat(
            refused(
                "upstream:\n  circuitBreaker: {window: 8, minimumCalls: 5}\n"
                    + "  registries: {ghcr.io: {circuitBreaker: {minimumCalls: 9}}}\n"))
        .isEqualTo(
            "upstream.registries.ghcr.io.circuitBreaker.minimumCalls (9) must not be more than"
                + " upstream.registries.ghcr.io.circuitBreaker.window (8, inherited from upstream)");
    assertThat(refused("upstream: {retryBackoff: 10s}"))
        .isEqualTo(
            "upstream.retryMaxBackoff (5s, the default) must not be shorter than"
                + " upstream.retryBackoff (10s)");
    assertThat(refused("upstream: {retryAttempts: 0}"))
        .isEqualTo("upstream.retryAttempts must be an integer from 1 to 100, not '0'");
    assertThat(refused("upstream: {registries: {ghcr.io: {retryBackoff: 0s}}}"))
        .isEqualTo("upstream.registries.ghcr.io.retryBackoff must be a positive duration, not 0s");
    assertThat(refused("upstream: {circuitBreaker: {openFor: 30}}"))
        .startsWith("upstream.circuitBreaker.openFor: '30' is not a duration");
    assertThat(refused("upstream: {circuitBreaker: none}"))
        .isEqualTo("upstream.circuitBreaker must be a mapping of keys to values, not 'none'");
    assertThat(refused("upstream: {maxConcurrentRequests: 0}"))
        .startsWith("upstream.maxConcurrentRequests must be an integer from 1 to 100000");
    assertThat(refused("upstream: {maxQueueTime: -1s}"))
        .startsWith("upstream.maxQueueTime: '-1s' is not a duration");
    assertThat(refused("upstream: {requestsPerSecond: -1}"))
        .isEqualTo("upstream.requestsPerSecond must be a number from 0 to 1000000, not '-1'");
    assertThat(refused("upstream: {registries: {docker.io: {requestsPerSecond: \"10\"}}}"))
        .isEqualTo(
            "upstream.registries.docker.io.requestsPerSecond must be a number from 0 to 1000000,"
                + " not '10'");
    assertThat(refused("upstream: {keepDeletedTags: \"false\"}"))
        .isEqualTo("upstream.keepDeletedTags must be true or false without quotes, not 'false'");
  }

  @Test
  void upstream_registriesErrors_nameTheHost() {
    assertThat(refused("upstream: {registries: [docker.io]}"))
        .isEqualTo("upstream.registries must be a mapping of keys to values, not a list");
    assertThat(refused("upstream: {registries: {\"bad host\": {}}}"))
        .isEqualTo(
            "upstream.registries.bad host: 'bad host' is not a registry host, such as docker.io,"
                + " ghcr.io or 127.0.0.1:5001");
    assertThat(refused("upstream: {registries: {\"https://ghcr.io\": {}}}"))
        .startsWith("upstream.registries.https://ghcr.io: 'https://ghcr.io' is not a registry");
    assertThat(refused("upstream: {registries: {docker.io: {}, registry-1.docker.io: {}}}"))
        .isEqualTo(
            "upstream.registries.registry-1.docker.io: registry 'docker.io' is already listed as"
                + " upstream.registries.docker.io");
    assertThat(refused("upstream: {registries: {docker.io: 5}}"))
        .isEqualTo("upstream.registries.docker.io must be a mapping of keys to values, not '5'");
  }

  private static String upstreamOf(ProxyConfig config, String name) {
    Route route = config.rules().route(RepositoryName.of(name)).orElseThrow();
    return route.upstreamName();
  }

  @Test
  void parse_readsEveryKey() {
    ProxyConfig config = ProxyConfig.parse(FULL);

    assertThat(config.port()).isEqualTo(5001);
    assertThat(config.bindAddress()).isEqualTo("127.0.0.1");
    assertThat(config.dataDirectory()).isEqualTo(Path.of("/var/cache/proxy"));
    assertThat(config.upstream())
        .isEqualTo(
            new UpstreamSettings(
                Duration.ofSeconds(5),
                Duration.ofMinutes(1),
                Duration.ofMillis(500),
                8,
                16,
                UpstreamSettings.DEFAULTS.userAgent()));
    assertThat(config.credentials())
        .containsExactly(
            Map.entry("hub", new CredentialSet("hub", "alice", "HUB_TOKEN", null)),
            Map.entry(
                "ghcr", new CredentialSet("ghcr", "bob", null, Path.of("/run/secrets/ghcr"))));
    Rule hub = config.rules().rule("hub").orElseThrow();
    assertThat(hub.target()).isEqualTo("hub/*");
    assertThat(hub.source().toString()).isEqualTo("docker.io/*");
    assertThat(hub.credentials()).isEqualTo("hub");
    assertThat(hub.tagFreshness()).isEqualTo(Duration.ofHours(1));
    assertThat(config.rules().rule("base").orElseThrow().tagFreshness()).isZero();
  }

  @Test
  void parse_emptyDocument_isTheBuiltInConfiguration() {
    ProxyConfig config = ProxyConfig.parse("");

    assertThat(config.port()).isEqualTo(5000);
    assertThat(config.rules()).isSameAs(ProxyConfig.builtIn().rules());
  }

  @Test
  void parse_withoutRules_keepsTheBuiltInRules() {
    ProxyConfig config = ProxyConfig.parse("server:\n  port: 6000\n");

    assertThat(config.port()).isEqualTo(6000);
    assertThat(config.rules().rules()).hasSize(8);
  }

  @Test
  void parse_rules_replaceTheBuiltInRules() {
    ProxyConfig config =
        ProxyConfig.parse(
            "rules:\n"
                + "  - name: only\n"
                + "    target: \"x/*\"\n"
                + "    source: \"http://127.0.0.1:5001/*\"\n");

    assertThat(config.rules().rules()).extracting(Rule::name).containsExactly("only");
    assertThat(config.rules().rule("only").orElseThrow().tagFreshness())
        .isEqualTo(Rule.DEFAULT_TAG_FRESHNESS);
  }

  @Test
  void unknownTopLevelKey_isRefusedNamingIt() {
    assertThat(refused("rulez: []\n"))
        .contains("unknown key 'rulez' at top level")
        .contains("did you mean 'rules'?");
  }

  @Test
  void unknownNestedKeys_areRefusedWithTheirPath() {
    assertThat(refused("server:\n  prot: 80\n")).contains("unknown key 'prot' at server.prot");
    assertThat(refused("upstream:\n  timeout: 5s\n"))
        .contains("unknown key 'timeout' at upstream.timeout");
    assertThat(refused("credentials:\n  hub:\n    user: a\n")).contains("credentials.hub.user");
    assertThat(
            refused(
                """
                rules:
                  - name: a
                    target: "a/*"
                    source: "docker.io/*"
                  - name: b
                    target: "b/*"
                    source: "docker.io/*"
                  - name: hub
                    target: "hub/*"
                    sourc: "docker.io/*"
                """))
        .contains("unknown key 'sourc' at rules[2].sourc (rule 'hub')")
        .contains("did you mean 'source'?");
  }

  @Test
  void badDurations_areRefusedNamingTheKey() {
    assertThat(refused("upstream:\n  connectTimeout: 10\n"))
        .contains("upstream.connectTimeout")
        .contains("not a duration");
    assertThat(refused("upstream:\n  idleTimeout: soon\n"))
        .contains("upstream.idleTimeout")
        .contains("'soon'");
    assertThat(
            refused(
                "rules:\n"
                    + "  - name: x\n"
                    + "    target: \"x/*\"\n"
                    + "    source: \"docker.io/*\"\n"
                    + "    tagFreshness: 5 minutes\n"))
        .contains("rules[0].tagFreshness (rule 'x')")
        .contains("'5 minutes'");
    assertThat(refused("upstream:\n  connectTimeout: 0s\n"))
        .contains("upstream.connectTimeout must be a positive duration");
  }

  @Test
  void durations_takeTheDocumentedUnits() {
    assertThat(Durations.parse("k", "500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("k", "30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Durations.parse("k", "5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Durations.parse("k", "1h")).isEqualTo(Duration.ofHours(1));
    assertThat(Durations.parse("k", "2d")).isEqualTo(Duration.ofDays(2));
    assertThat(Durations.parse("k", "0s")).isZero();
    assertThat(message(() -> Durations.parse("k", "-5s"))).startsWith("k: '-5s' is not a duration");
    assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("90m");
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
  }

  @Test
  void badValues_areRefusedNamingTheKey() {
    assertThat(refused("server:\n  port: 70000\n"))
        .contains("server.port must be an integer from 0 to 65535");
    assertThat(refused("server:\n  port: http\n")).contains("server.port");
    assertThat(refused("server: 5000\n")).contains("server must be a mapping");
    assertThat(refused("server:\n  bindAddress: 12\n"))
        .contains("server.bindAddress must be a string");
    assertThat(refused("upstream:\n  maxConnectionsPerRegistry: 0\n"))
        .contains("upstream.maxConnectionsPerRegistry");
    assertThat(refused("rules: docker.io\n")).contains("rules must be a list");
    assertThat(refused("rules: []\n")).contains("rules: the list is empty");
  }

  @Test
  void invalidYaml_isRefusedWithItsLocation() {
    assertThat(refused("server:\n  port: [\n")).startsWith("invalid YAML (line");
    assertThat(refused("server:\n  port: 1\n  port: 2\n"))
        .contains("invalid YAML")
        .contains("port");
    assertThat(refused("rules:\n  - name: x\n    target: *\n    source: \"docker.io/*\"\n"))
        .contains("quote values that start with *");
  }

  @Test
  void ruleErrors_carryTheRuleName() {
    assertThat(
            refused(
                "rules:\n"
                    + "  - name: hub\n"
                    + "    target: \"hub/*\"\n"
                    + "    source: docker.io/library/nginx\n"))
        .contains("rules[0]: rule 'hub'")
        .contains("needs a wildcard source");
    assertThat(refused("rules:\n  - name: bad\n    target: \"x/*\"\n    source: nohost\n"))
        .contains("rule 'bad': field 'source'");
    assertThat(refused("rules:\n  - name: up\n    target: \"X/*\"\n    source: \"docker.io/*\"\n"))
        .contains("rule 'up': field 'target'");
    assertThat(
            refused(
                "rules:\n"
                    + "  - name: a\n"
                    + "    target: \"x/*\"\n"
                    + "    source: \"docker.io/*\"\n"
                    + "  - name: b\n"
                    + "    target: \"x/*\"\n"
                    + "    source: \"quay.io/*\"\n"))
        .contains("rules 'a' and 'b'")
        .contains("both claim")
        .contains("'x/*'");
    assertThat(refused("rules:\n  - name: a\n    source: \"docker.io/*\"\n"))
        .contains("rules[0].target (rule 'a') is missing");
  }

  @Test
  void ruleNamingAMissingCredentialSet_isRefused() {
    assertThat(
            refused(
                "rules:\n"
                    + "  - name: hub\n"
                    + "    target: \"hub/*\"\n"
                    + "    source: \"docker.io/*\"\n"
                    + "    credentials: hubb\n"))
        .contains("rule 'hub'")
        .contains("'hubb'")
        .contains("defined: none");
  }

  @Test
  void credentialSets_needExactlyOnePasswordSource() {
    assertThat(refused("credentials:\n  hub:\n    username: a\n"))
        .contains("credentials.hub: set exactly one of passwordEnv and passwordFile");
    assertThat(
            refused(
                "credentials:\n"
                    + "  hub:\n"
                    + "    username: a\n"
                    + "    passwordEnv: X\n"
                    + "    passwordFile: /x\n"))
        .contains("credentials.hub: set exactly one");
    assertThat(refused("credentials:\n  hub:\n    passwordEnv: X\n"))
        .contains("credentials.hub.username is missing");
    assertThat(refused("credentials:\n  hub:\n    username: a\n    passwordEnv: 'not a var'\n"))
        .contains("credentials.hub.passwordEnv");
  }

  @Test
  void passwordFromEnvironment_isReadAtLookup() {
    ProxyConfig config = ProxyConfig.parse(FULL);
    Map<String, String> env = new java.util.HashMap<>(Map.of("HUB_TOKEN", "s3cret-1"));
    ConfiguredCredentialSource source = config.credentialSource(env::get);

    assertThat(source.credentials("hub")).hasValue(new Credentials("alice", "s3cret-1"));
    env.put("HUB_TOKEN", "s3cret-2");
    assertThat(source.credentials("hub")).hasValue(new Credentials("alice", "s3cret-2"));
    assertThat(source.credentials("nope")).isEmpty();
  }

  @Test
  void passwordFromFile_dropsTheTrailingNewline() throws Exception {
    Path secret = dir.resolve("token");
    Files.writeString(secret, "file-s3cret\r\n", StandardCharsets.UTF_8);
    ProxyConfig config =
        ProxyConfig.parse(
            "credentials:\n  q:\n    username: bob\n    passwordFile: " + secret + "\n");

    assertThat(config.credentialSource(name -> null).credentials("q"))
        .hasValue(new Credentials("bob", "file-s3cret"));
  }

  @Test
  void newCacheProxy_runsWithTheStorageSettingsOfTheFile() {
    ProxyConfig config =
        ProxyConfig.parse(
                "storage:\n  maxSize: 2GiB\n  lowWatermark: 50%\n  accessTracking: false\n")
            .withDataDirectory(dir.resolve("data"));

    try (dev.cacheproxy.core.CacheProxy proxy = config.newCacheProxy(name -> null)) {
      dev.cacheproxy.core.storage.StorageSettings running = proxy.storageStatus().settings();
      assertThat(running.maxSize()).isEqualTo(2L << 30);
      assertThat(running.lowWatermark()).isEqualTo(0.5);
      assertThat(running.accessTracking()).isFalse();
    }
  }

  @Test
  void missingSecrets_areReportedAtStart_namingTheSet() {
    ProxyConfig config = ProxyConfig.parse(FULL).withDataDirectory(dir.resolve("data"));

    assertThat(message(() -> config.newCacheProxy(name -> null)))
        .isEqualTo("credentials.hub: environment variable HUB_TOKEN is not set");
    assertThat(message(() -> config.newCacheProxy(name -> "x")))
        .isEqualTo("credentials.ghcr: password file /run/secrets/ghcr does not exist");
  }

  @Test
  void secretGoneAfterStart_isUnavailable_withoutNamingTheVariable() {
    ConfiguredCredentialSource source = ProxyConfig.parse(FULL).credentialSource(name -> null);

    assertThatThrownBy(() -> source.credentials("hub"))
        .isInstanceOfSatisfying(
            ProxyException.class, e -> assertThat(e.code()).isEqualTo(OciErrorCode.UNAVAILABLE))
        .hasMessageContaining("credential set 'hub'")
        .hasMessageNotContaining("HUB_TOKEN");
  }

  @Test
  void secrets_neverShowInToString() throws Exception {
    Path secret = dir.resolve("token");
    Files.writeString(secret, "file-s3cret\n");
    ProxyConfig config =
        ProxyConfig.parse(
            "credentials:\n"
                + "  hub:\n"
                + "    username: alice\n"
                + "    passwordEnv: HUB_TOKEN\n"
                + "  q:\n"
                + "    username: bob\n"
                + "    passwordFile: "
                + secret
                + "\n");
    ConfiguredCredentialSource source = config.credentialSource(name -> "env-s3cret");

    assertThat(config.toString()).contains("HUB_TOKEN").doesNotContain("s3cret");
    assertThat(source.toString()).doesNotContain("s3cret");
    assertThat(source.credentials("hub").orElseThrow().toString()).doesNotContain("env-s3cret");
    assertThat(source.credentials("q").orElseThrow().toString()).doesNotContain("file-s3cret");
  }

  @Test
  void load_namesTheFile() throws Exception {
    Path file = dir.resolve("proxy.yaml");
    Files.writeString(file, "rulez: []\n");

    assertThat(message(() -> ProxyConfig.load(file))).startsWith(file + ": unknown key 'rulez'");
    assertThat(message(() -> ProxyConfig.load(dir.resolve("missing.yaml"))))
        .contains("missing.yaml does not exist");
  }

  @Test
  void load_readsAFile() throws Exception {
    Path file = dir.resolve("proxy.yaml");
    Files.writeString(file, FULL);

    assertThat(ProxyConfig.load(file).toString()).isEqualTo(ProxyConfig.parse(FULL).toString());
  }

  @Test
  void withPortAndDataDirectory_replaceOnlyThose() {
    ProxyConfig config = ProxyConfig.builtIn().withPort(0).withDataDirectory(dir);

    assertThat(config.port()).isZero();
    assertThat(config.dataDirectory()).isEqualTo(dir);
    assertThat(config.rules()).isSameAs(ProxyConfig.builtIn().rules());
    assertThat(message(() -> ProxyConfig.builtIn().withPort(65536))).contains("server.port");
  }

  @Test
  void describe_showsARuleTheWayTheServerLogsIt() {
    ProxyConfig config = ProxyConfig.parse(FULL);

    assertThat(ProxyConfig.describe(config.rules().rule("hub").orElseThrow()))
        .isEqualTo("hub: hub/* -> docker.io/* (credentials hub) (tagFreshness 1h)");
    assertThat(ProxyConfig.describe(ProxyConfig.builtIn().rules().rule("ghcr").orElseThrow()))
        .isEqualTo("ghcr: ghcr/* -> ghcr.io/*");
  }

  @Test
  void log_format_textByDefault_jsonWhenAsked_andErrorsNameTheKey() {
    assertThat(ProxyConfig.parse("").logFormat()).isEqualTo(LogFormat.TEXT);
    assertThat(ProxyConfig.builtIn().logFormat()).isEqualTo(LogFormat.TEXT);
    assertThat(ProxyConfig.parse("log:\n  format: json\n").logFormat()).isEqualTo(LogFormat.JSON);
    assertThat(ProxyConfig.parse("log: {format: JSON}").logFormat()).isEqualTo(LogFormat.JSON);
    assertThat(refused("log:\n  format: xml\n"))
        .contains("log.format")
        .contains("xml")
        .contains("text or json");
    assertThat(refused("log:\n  fromat: json\n"))
        .contains("unknown key 'fromat' at log.fromat")
        .contains("did you mean 'format'?");
    assertThat(ProxyConfig.parse("").withLogFormat(LogFormat.JSON).logFormat())
        .isEqualTo(LogFormat.JSON);
  }

  @Test
  void admin_builtIn_listensOnLoopbackPort5050() {
    ProxyConfig config = ProxyConfig.builtIn();

    assertThat(config.adminEnabled()).isTrue();
    assertThat(config.adminPort()).isEqualTo(5050);
    assertThat(config.adminBindAddress()).isEqualTo("127.0.0.1");
  }

  @Test
  void admin_absent_meansNoAdminListener() {
    ProxyConfig config = ProxyConfig.parse("server:\n  port: 6000\n");

    assertThat(config.adminEnabled()).isFalse();
    assertThat(config.adminPort()).isZero();
    assertThat(config.adminBindAddress()).isEqualTo(ProxyConfig.DEFAULT_ADMIN_BIND_ADDRESS);
    assertThat(ProxyConfig.parse("admin:\n  bindAddress: 0.0.0.0\n").adminEnabled()).isFalse();
    assertThat(ProxyConfig.parse("admin:\n  port: 0\n").adminEnabled()).isFalse();
  }

  @Test
  void admin_readsPortAndBindAddress() {
    ProxyConfig config = ProxyConfig.parse("admin:\n  port: 9090\n  bindAddress: \"::1\"\n");

    assertThat(config.adminEnabled()).isTrue();
    assertThat(config.adminPort()).isEqualTo(9090);
    assertThat(config.adminBindAddress()).isEqualTo("::1");
    assertThat(ProxyConfig.parse("admin: {port: 9090}").adminBindAddress()).isEqualTo("127.0.0.1");
    assertThat(config.toString()).contains("admin=::1:9090");
    assertThat(ProxyConfig.parse("").toString()).contains("admin=off");
  }

  @Test
  void admin_errorsNameTheKeyPath() {
    assertThat(refused("admn:\n  port: 5050\n"))
        .contains("unknown key 'admn' at top level")
        .contains("did you mean 'admin'?");
    assertThat(refused("admin:\n  prot: 5050\n"))
        .contains("unknown key 'prot' at admin.prot")
        .contains("did you mean 'port'?");
    assertThat(refused("admin:\n  bindAdress: 127.0.0.1\n"))
        .contains("unknown key 'bindAdress' at admin.bindAdress")
        .contains("did you mean 'bindAddress'?");
    assertThat(refused("admin:\n  port: 70000\n"))
        .contains("admin.port must be an integer from 0 to 65535, not '70000'");
    assertThat(refused("admin:\n  port: \"5050\"\n")).contains("admin.port");
    assertThat(refused("admin:\n  bindAddress: 5050\n"))
        .contains("admin.bindAddress must be a string");
    assertThat(refused("admin:\n  bindAddress: \"127.0.0.1 5050\"\n"))
        .contains("admin.bindAddress '127.0.0.1 5050' is not an address");
    assertThat(refused("admin: 5050\n")).contains("admin must be a mapping of keys to values");
  }

  @Test
  void withAdminPort_replacesOnlyThePort() {
    ProxyConfig config = ProxyConfig.builtIn().withAdminPort(6060);

    assertThat(config.adminPort()).isEqualTo(6060);
    assertThat(config.adminBindAddress()).isEqualTo("127.0.0.1");
    assertThat(config.port()).isEqualTo(5000);
    assertThat(config.rules()).isSameAs(ProxyConfig.builtIn().rules());
    assertThat(ProxyConfig.builtIn().withAdminPort(0).adminEnabled()).isFalse();
    assertThat(config.withPort(0).withBindAddress("::").withDataDirectory(dir).adminPort())
        .isEqualTo(6060);
    assertThat(message(() -> ProxyConfig.builtIn().withAdminPort(65536)))
        .contains("admin.port must be an integer from 0 to 65535, not 65536");
  }
}
