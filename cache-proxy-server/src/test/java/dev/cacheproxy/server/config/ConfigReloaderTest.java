/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.core.storage.StorageSettings;
import dev.cacheproxy.rules.RepositoryName;
import dev.cacheproxy.rules.Retention;
import dev.cacheproxy.rules.Rule;
import dev.cacheproxy.rules.RuleSet;
import dev.cacheproxy.server.config.ConfigReloader.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class ConfigReloaderTest {

  /** Far longer than any test: a reload seen by a watch test came from an event, not a rescan. */
  private static final Duration NO_RESCAN = Duration.ofHours(1);

  private static final Duration DEBOUNCE = Duration.ofMillis(200);

  @TempDir Path dir;

  private final BlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(ConfigReloader.class);
  private Map<String, String> environment = Map.of();
  private CacheProxy proxy;
  private ConfigReloader reloader;

  @BeforeEach
  void captureLog() {
    log.start();
    logger.addAppender(log);
  }

  @AfterEach
  void close() {
    logger.detachAppender(log);
    if (reloader != null) {
      reloader.close();
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  private static String config(String... ruleNames) {
    StringBuilder yaml = new StringBuilder("server:\n  bindAddress: 127.0.0.1\nrules:\n");
    for (String name : ruleNames) {
      yaml.append("  - name: ")
          .append(name)
          .append("\n    target: \"")
          .append(name)
          .append("/*\"\n    source: \"http://127.0.0.1:9/*\"\n");
    }
    return yaml.toString();
  }

  /** Starts a proxy from {@code file} and a reloader for it that does not watch yet. */
  private ConfigReloader reloaderFor(Path file, UnaryOperator<ProxyConfig> overrides)
      throws Exception {
    ProxyConfig running =
        overrides.apply(ProxyConfig.load(file).withDataDirectory(dir.resolve("data")));
    proxy = running.newCacheProxy(environment::get);
    reloader =
        new ConfigReloader(
            file,
            running,
            c -> overrides.apply(c.withDataDirectory(dir.resolve("data"))),
            proxy,
            name -> environment.get(name),
            DEBOUNCE,
            NO_RESCAN,
            outcomes::add);
    return reloader;
  }

  private Path write(String name, String yaml) throws Exception {
    return Files.writeString(dir.resolve(name), yaml);
  }

  private List<String> ruleNames() {
    return proxy.rules().rules().stream().map(Rule::name).toList();
  }

  private List<String> messages(Level level) {
    return log.list.stream()
        .filter(e -> e.getLevel().equals(level))
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  private Outcome next() throws InterruptedException {
    Outcome outcome = outcomes.poll(20, TimeUnit.SECONDS);
    assertThat(outcome).as("a reload within 20 s").isNotNull();
    return outcome;
  }

  /** The next outcome other than UNCHANGED (events about other files in the folder). */
  private Outcome nextChange() throws InterruptedException {
    Outcome outcome = next();
    while (outcome == Outcome.UNCHANGED) {
      outcome = next();
    }
    return outcome;
  }

  @Test
  void reload_validChange_isApplied_andTheDiffLogged() throws Exception {
    Path file = write("proxy.yaml", config("a", "b"));
    reloaderFor(file, c -> c);
    Files.writeString(
        file,
        config("b", "c").replace("c/*\"\n    source", "c/*\"\n    tagFreshness: 1m\n    source"));

    assertThat(reloader.reload()).isEqualTo(Outcome.APPLIED);

    assertThat(ruleNames()).containsExactly("b", "c");
    assertThat(proxy.route(RepositoryName.of("c/x")).rule().name()).isEqualTo("c");
    assertThat(messages(Level.INFO))
        .contains("configuration reloaded: 2 rules (added: c; removed: a)");
    assertThat(reloader.current().rules().rules()).extracting(Rule::name).containsExactly("b", "c");
  }

  @Test
  void reload_changedRule_isNamed() throws Exception {
    Path file = write("proxy.yaml", config("a", "b"));
    reloaderFor(file, c -> c);
    Files.writeString(file, config("a", "b").replace("b/*", "bb/*"));

    assertThat(reloader.reload()).isEqualTo(Outcome.APPLIED);
    assertThat(messages(Level.INFO)).contains("configuration reloaded: 2 rules (changed: b)");
  }

  @Test
  void reload_registries_areAppliedAndNamed() throws Exception {
    Path file = write("proxy.yaml", config("a"));
    reloaderFor(file, c -> c);
    assertThatThrownBy(() -> proxy.route(RepositoryName.of("acme/app"), "ghcr.io"))
        .hasMessageContaining("not in this proxy's registries list");
    Files.writeString(file, "registries: {ghcr.io: {}}\n" + config("a"));

    assertThat(reloader.reload()).isEqualTo(Outcome.APPLIED);
    assertThat(messages(Level.INFO))
        .contains("configuration reloaded: 1 rules (registries added: ghcr.io)");
    assertThat(proxy.route(RepositoryName.of("acme/app"), "ghcr.io").upstreamName())
        .isEqualTo("ghcr.io/acme/app");
  }

  @Test
  void reload_invalidFile_keepsTheOldRules_andLogsWhy() throws Exception {
    Path file = write("proxy.yaml", config("a"));
    reloaderFor(file, c -> c);
    RuleSet before = proxy.rules();
    Files.writeString(file, config("a") + "    sourc: \"docker.io/*\"\n");

    assertThat(reloader.reload()).isEqualTo(Outcome.REFUSED);

    assertThat(proxy.rules()).isSameAs(before);
    assertThat(messages(Level.WARN))
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith("configuration reload refused: " + file.toAbsolutePath() + ": ")
        .contains("unknown key 'sourc' at rules[0].sourc (rule 'a')");
  }

  @Test
  void reload_ruleSetRefusedAsAWhole_keepsTheOldRules() throws Exception {
    Path file = write("proxy.yaml", config("a"));
    reloaderFor(file, c -> c);
    RuleSet before = proxy.rules();
    Files.writeString(file, config("a", "b").replace("b/*", "a/*"));

    assertThat(reloader.reload()).isEqualTo(Outcome.REFUSED);

    assertThat(proxy.rules()).isSameAs(before);
    assertThat(String.join("\n", messages(Level.WARN)))
        .contains("rules 'a' and 'b'")
        .contains("'a/*'");
  }

  @Test
  void reload_emptyFile_isRefused_asAWriteInProgress() throws Exception {
    Path file = write("proxy.yaml", config("a"));
    reloaderFor(file, c -> c);
    Files.writeString(file, "");

    assertThat(reloader.reload()).isEqualTo(Outcome.REFUSED);
    assertThat(ruleNames()).containsExactly("a");
    assertThat(String.join("\n", messages(Level.WARN))).contains("is empty");
  }

  @Test
  void reload_missingSecret_isRefused_namingTheSetOnly() throws Exception {
    environment = Map.of("HUB_TOKEN", "s3cret");
    Path file = write("proxy.yaml", config("a"));
    reloaderFor(file, c -> c);
    Files.writeString(
        file,
        config("a")
            + "credentials:\n  other:\n    username: u\n    passwordEnv: SURELY_UNSET_VARIABLE\n");

    assertThat(reloader.reload()).isEqualTo(Outcome.REFUSED);
    assertThat(String.join("\n", messages(Level.WARN)))
        .contains("credentials.other: environment variable SURELY_UNSET_VARIABLE is not set");
  }

  @Test
  void reload_newCredentials_areUsedFromTheSwap() throws Exception {
    environment = Map.of("TOKEN_B", "s3cret-b");
    Path file = write("proxy.yaml", config("a"));
    reloaderFor(file, c -> c);
    Files.writeString(
        file,
        config("a").replace("source", "credentials: b\n    source")
            + "credentials:\n  b:\n    username: bob\n    passwordEnv: TOKEN_B\n");

    assertThat(reloader.reload()).isEqualTo(Outcome.APPLIED);

    assertThat(proxy.rules().rule("a").orElseThrow().credentials()).isEqualTo("b");
    assertThat(String.join("\n", messages(Level.INFO)))
        .contains("changed: a")
        .contains("credential sets added: b")
        .doesNotContain("s3cret");
  }

  @Test
  void reload_restartOnlySettings_areLoggedAsIgnored_andTheRulesStillApplied() throws Exception {
    Path file = write("proxy.yaml", config("a"));
    reloaderFor(file, c -> c);
    Files.writeString(
        file,
        config("b").replace("bindAddress: 127.0.0.1", "bindAddress: 127.0.0.2\n  port: 5001")
            + "upstream:\n  connectTimeout: 3s\n");

    assertThat(reloader.reload()).isEqualTo(Outcome.APPLIED);

    assertThat(ruleNames()).containsExactly("b");
    assertThat(messages(Level.WARN))
        .containsExactly(
            "server.port changed from 5000 to 5001: ignored until restart",
            "server.bindAddress changed from 127.0.0.1 to 127.0.0.2: ignored until restart",
            "upstream.connectTimeout changed from 10s to 3s: ignored until restart");
    assertThat(reloader.current().port()).isEqualTo(5001);
  }

  @Test
  void reload_storageChange_waitsForRestart_whileRetentionAppliesAtOnce() throws Exception {
    Path file = write("proxy.yaml", config("a", "b"));
    reloaderFor(file, c -> c);
    StorageSettings started = reloader.current().storage();
    Files.writeString(
        file,
        "storage:\n  maxSize: 10GiB\n  accessTracking: false\n"
            + config("a", "b").replace("b/*\"\n", "b/*\"\n    keepFor: 30d\n    pinned: true\n"));

    assertThat(reloader.reload()).isEqualTo(Outcome.APPLIED);

    assertThat(proxy.rules().rule("b").orElseThrow().policy().retention())
        .isEqualTo(new Retention(Duration.ofDays(30), true));
    assertThat(messages(Level.INFO))
        .contains(
            "configuration reloaded: 2 rules (changed: b; retention changed: b (none -> pinned,"
                + " keepFor 30d))");
    assertThat(messages(Level.WARN))
        .containsExactly(
            "storage.maxSize changed from none to 10.0 GiB: ignored until restart",
            "storage.accessTracking changed from true to false: ignored until restart");
    assertThat(started).isEqualTo(StorageSettings.DEFAULTS);
    assertThat(reloader.current().storage())
        .isEqualTo(StorageSettings.DEFAULTS.withMaxSize(10L << 30).withAccessTracking(false));
  }

  @Test
  void reload_storageOverride_isNotMistakenForAChange() throws Exception {
    StorageSettings small = StorageSettings.DEFAULTS.withMaxSize(1L << 20);
    Path file = write("proxy.yaml", config("a"));
    reloaderFor(file, c -> c.withStorage(small));
    Files.writeString(file, "storage:\n  maxSize: 5GiB\n" + config("a"));

    assertThat(reloader.reload()).isEqualTo(Outcome.APPLIED);

    assertThat(messages(Level.WARN)).isEmpty();
    assertThat(reloader.current().storage()).isEqualTo(small);
  }

  @Test
  void reload_commandLineOverrides_areNotMistakenForChanges() throws Exception {
    Path file = write("proxy.yaml", config("a"));
    reloaderFor(file, c -> c.withPort(0));
    Files.writeString(file, config("b").replace("server:\n", "server:\n  port: 7000\n"));

    assertThat(reloader.reload()).isEqualTo(Outcome.APPLIED);

    assertThat(messages(Level.WARN)).isEmpty();
    assertThat(reloader.current().port()).isZero();
  }

  @Test
  void watch_changeBetweenLoadAndWatch_isAppliedAtOnce() throws Exception {
    // The server parsed config("a"); the file changed before the reloader started watching.
    Path file = write("proxy.yaml", config("b"));
    ConfigReloader reloader = reloaderFor(file, c -> c);

    reloader.startWatching(config("a"));

    assertThat(nextChange()).isEqualTo(Outcome.APPLIED);
    assertThat(ruleNames()).containsExactly("b");
  }

  @Test
  void watch_unchangedSinceLoad_isNotReloaded() throws Exception {
    Path file = write("proxy.yaml", config("a"));
    ConfigReloader reloader = reloaderFor(file, c -> c);

    reloader.startWatching(config("a"));

    assertThat(next()).isEqualTo(Outcome.UNCHANGED);
    assertThat(ruleNames()).containsExactly("a");
  }

  @Test
  void watch_inPlaceWrite_isNoticed() throws Exception {
    Path file = write("proxy.yaml", config("a"));
    reloaderFor(file, c -> c).startWatching();

    Files.writeString(file, config("b"));

    assertThat(nextChange()).isEqualTo(Outcome.APPLIED);
    assertThat(ruleNames()).containsExactly("b");
  }

  @Test
  void watch_renameReplace_isNoticed() throws Exception {
    Path file = write("proxy.yaml", config("a"));
    reloaderFor(file, c -> c).startWatching();

    // What vim, IntelliJ and most tools do: write a temporary file, rename it over the original.
    Path temp = write(".proxy.yaml.swp", config("renamed"));
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

    assertThat(nextChange()).isEqualTo(Outcome.APPLIED);
    assertThat(ruleNames()).containsExactly("renamed");
  }

  @Test
  void watch_configMapSymlinkSwap_isNoticed() throws Exception {
    // A Kubernetes ConfigMap volume: proxy.yaml -> ..data/proxy.yaml, ..data -> ..<timestamp>.
    Path first = Files.createDirectory(dir.resolve("..2026_01"));
    Files.writeString(first.resolve("proxy.yaml"), config("a"));
    Files.createSymbolicLink(dir.resolve("..data"), first.getFileName());
    Path file =
        Files.createSymbolicLink(dir.resolve("proxy.yaml"), Path.of("..data", "proxy.yaml"));
    reloaderFor(file, c -> c).startWatching();

    Path second = Files.createDirectory(dir.resolve("..2026_02"));
    Files.writeString(second.resolve("proxy.yaml"), config("swapped"));
    Path temp = Files.createSymbolicLink(dir.resolve("..data_tmp"), second.getFileName());
    Files.move(temp, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);

    assertThat(nextChange()).isEqualTo(Outcome.APPLIED);
    assertThat(ruleNames()).containsExactly("swapped");
  }

  @Test
  void watch_burstOfWrites_isReadOnceItSettles() throws Exception {
    Path file = write("proxy.yaml", config("a"));
    reloaderFor(file, c -> c).startWatching();

    for (int i = 0; i < 5; i++) {
      Files.writeString(file, config("a", "w" + i));
    }

    assertThat(nextChange()).isEqualTo(Outcome.APPLIED);
    assertThat(ruleNames()).containsExactly("a", "w4");
    assertThat(messages(Level.INFO))
        .filteredOn(m -> m.startsWith("configuration reloaded"))
        .containsExactly("configuration reloaded: 2 rules (added: w4)");
  }

  @Test
  void watch_invalidThenFixed_refusesThenApplies() throws Exception {
    Path file = write("proxy.yaml", config("a"));
    reloaderFor(file, c -> c).startWatching();

    Files.writeString(file, "rules: [\n");
    assertThat(nextChange()).isEqualTo(Outcome.REFUSED);
    assertThat(ruleNames()).containsExactly("a");

    Files.writeString(file, config("fixed"));
    assertThat(nextChange()).isEqualTo(Outcome.APPLIED);
    assertThat(ruleNames()).containsExactly("fixed");
  }

  @Test
  void check_sameText_isUnchanged_andReloadsNothing() throws Exception {
    Path file = write("proxy.yaml", config("a"));
    reloaderFor(file, c -> c).startWatching();
    RuleSet before = proxy.rules();

    assertThat(reloader.check()).isEqualTo(Outcome.UNCHANGED);
    assertThat(proxy.rules()).isSameAs(before);
  }

  @Test
  void hangUpSignal_reloads() throws Exception {
    Path file = write("proxy.yaml", config("a"));
    reloaderFor(file, c -> c).handleHangUp();
    // Without our handler, SIGHUP would stop this JVM: only send it when the handler is in.
    assumeTrue(reloader.handlesHangUp(), "signals are not available here");
    Files.writeString(file, config("hup"));

    Process kill =
        new ProcessBuilder("kill", "-HUP", Long.toString(ProcessHandle.current().pid()))
            .inheritIO()
            .start();
    assertThat(kill.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).isZero();

    assertThat(next()).isEqualTo(Outcome.APPLIED);
    assertThat(ruleNames()).containsExactly("hup");
  }
}
