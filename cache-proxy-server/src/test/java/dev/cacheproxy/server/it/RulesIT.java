/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import static dev.cacheproxy.server.it.TestImages.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cacheproxy.core.Digest;
import dev.cacheproxy.server.it.OciLayout.Descriptor;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rule engine end to end: two real registries, A (the base class's) and B, behind one proxy
 * (the packaged jar, so file watching and SIGHUP are real), with a rule per registry, reloads of
 * the config file while the proxy runs, tag filters, modes and the rules endpoint.
 *
 * <p>{@value #SHARED} exists in both registries with different content, so which registry a rule
 * points at shows in the manifest digest. Each test starts its own proxy, closed after the test
 * even when the test timed out (its thread may then still be blocked reading from the proxy).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RulesIT extends EndToEndTestBase {

  private static final String SHARED = "it/rules-shared";
  private static final String RULE_A = "upstream-a";
  private static final String RULE_B = "upstream-b";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static @Nullable RegistryProcess registryB;
  private static TestImages.@Nullable Image sharedA;
  private static TestImages.@Nullable Image sharedB;

  private final List<JarProxy> proxies = new ArrayList<>();
  private final AtomicInteger copies = new AtomicInteger();

  @BeforeAll
  static void startRegistryB_andPushTheSharedRepositoryToBoth() throws Exception {
    Path dir = require(classDir);
    registryB = RegistryProcess.start(dir.resolve("registry-b"));
    sharedA = TestImages.write(dir.resolve("shared-a"), "v1", 7001, 2048, 256 * 1024);
    sharedB = TestImages.write(dir.resolve("shared-b"), "v1", 7002, 2048, 256 * 1024);
    skopeo().push(require(sharedA).layout(), "v1", registry().ref(SHARED, "v1"));
    skopeo().push(require(sharedB).layout(), "v1", registryB().ref(SHARED, "v1"));
  }

  @AfterAll
  static void stopRegistryB() {
    RegistryProcess b = registryB;
    registryB = null;
    if (b != null) {
      b.close();
    }
  }

  @AfterEach
  void stopProxies() {
    proxies.forEach(JarProxy::close);
  }

  @Test
  void twoRules_pullFromTwoRegistries_likeDirectPulls(@TempDir Path tmp) throws Exception {
    TestImages.Image onlyA = TestImages.write(tmp.resolve("only-a"), "v1", 7101, 1024, 512 * 1024);
    TestImages.Image onlyB = TestImages.write(tmp.resolve("only-b"), "v1", 7102, 1024, 512 * 1024);
    skopeo().push(onlyA.layout(), "v1", registry().ref("it/rules-only-a", "v1"));
    skopeo().push(onlyB.layout(), "v1", registryB().ref("it/rules-only-b", "v1"));
    assertThat(require(sharedA).manifest().digest())
        .as("the fixture: %s differs between the registries", SHARED)
        .isNotEqualTo(require(sharedB).manifest().digest());
    JarProxy proxy =
        start(tmp, config(rule(RULE_A, "ra/*", registry()), rule(RULE_B, "rb/*", registryB())));

    assertPullsLikeDirect(tmp, proxy, "ra/", registry(), "it/rules-only-a", "v1");
    assertPullsLikeDirect(tmp, proxy, "rb/", registryB(), "it/rules-only-b", "v1");
    assertPullsLikeDirect(tmp, proxy, "ra/", registry(), SHARED, "v1");
    assertPullsLikeDirect(tmp, proxy, "rb/", registryB(), SHARED, "v1");

    assertThat(registryB().settledRequests())
        .as("registry B never hears of A's repository")
        .noneMatch(e -> e.path().startsWith("/v2/it/rules-only-a/"));
    assertThat(registry().settledRequests())
        .as("registry A never hears of B's repository")
        .noneMatch(e -> e.path().startsWith("/v2/it/rules-only-b/"));
  }

  @Test
  void reload_changesARulesSource_withoutRestart_orBreakingAPullInProgress(@TempDir Path tmp)
      throws Exception {
    String big = "it/rules-big";
    TestImages.Image image = TestImages.write(tmp.resolve("big"), "v1", 7201, 64 * MIB);
    skopeo().push(image.layout(), "v1", registry().ref(big, "v1"));
    Descriptor layer = image.layers().getFirst();
    String toA = config(rule(RULE_A, "ra/*", registry()), rule(RULE_B, "rb/*", registryB()));
    String toB = config(rule(RULE_A, "ra/*", registryB()), rule(RULE_B, "rb/*", registryB()));
    JarProxy proxy = start(tmp, toA);
    assertManifest(proxy, "ra/" + SHARED, require(sharedA));

    HttpResponse<InputStream> blob = proxy.openBlob("ra/" + big, layer.digest());
    assertThat(blob.statusCode()).as("status of the uncached blob from A").isEqualTo(200);
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    long read;
    try (InputStream in = blob.body()) {
      read = read(in, sha256, 4 * MIB);
      assertThat(read).as("bytes read before the reload").isEqualTo(4 * MIB);

      String reloaded = proxy.awaitReloaded(proxy.replaceConfig(toB));
      assertThat(reloaded).as("the reload's log line").contains("2 rules");
      assertManifest(proxy, "ra/" + SHARED, require(sharedB));

      read += read(in, sha256, Long.MAX_VALUE);
    }
    assertThat(read).as("length of the blob read across the reload").isEqualTo(layer.size());
    assertThat(HexFormat.of().formatHex(sha256.digest()))
        .as("sha256 of the blob read across the reload")
        .isEqualTo(layer.digest().hex());
    List<AccessLogEntry> requestsToA =
        registry()
            .awaitRequests(
                entries -> AccessLogEntry.blobGets(entries, big).containsKey(layer.digest()),
                "the proxy's GET of the large blob");
    assertThat(AccessLogEntry.blobGets(requestsToA, big))
        .as("registry A served the blob once")
        .containsEntry(layer.digest(), 1L);

    // SIGHUP alone: the file is unchanged, so the watcher has nothing to reload; only the signal
    // can print the line.
    int mark = proxy.process().outputMark();
    proxy.process().signal("HUP");
    proxy.awaitReloaded(mark);
    assertManifest(proxy, "ra/" + SHARED, require(sharedB));

    // Changed in place (same file, no rename), then SIGHUP.
    mark = proxy.overwriteConfig(toA);
    proxy.process().signal("HUP");
    proxy.awaitReloaded(mark);
    assertManifest(proxy, "ra/" + SHARED, require(sharedA));

    assertThat(proxy.process().isAlive()).as("the proxy still runs%s", proxy.logTail()).isTrue();
    assertThat(proxy.process().output().split("listening on", -1))
        .as("the proxy started once: one 'listening on' line%s", proxy.logTail())
        .hasSize(2);
  }

  @Test
  void reload_refusesAnInvalidConfig_andKeepsTheOldRules(@TempDir Path tmp) throws Exception {
    JarProxy proxy = start(tmp, config(rule(RULE_A, "ra/*", registry())));
    assertPullsLikeDirect(tmp, proxy, "ra/", registry(), SHARED, "v1");

    // Would point ra/* at B, but for a misspelt key.
    String invalid = config(rule(RULE_A, "ra/*", registryB(), "tagFreshnes: 5m"));
    int mark = proxy.replaceConfig(invalid);
    String refused = proxy.awaitRefused(mark);
    assertThat(refused).as("the refusal's log line").contains("WARN").contains("tagFreshnes");
    assertThat(proxy.process().output().substring(mark))
        .as("no reload after the invalid file")
        .doesNotContain(JarProxy.RELOADED);

    assertPullsLikeDirect(tmp, proxy, "ra/", registry(), SHARED, "v1");
    assertManifest(proxy, "ra/" + SHARED, require(sharedA));

    // A valid file afterwards is taken.
    proxy.awaitReloaded(proxy.replaceConfig(config(rule(RULE_A, "ra/*", registryB()))));
    assertManifest(proxy, "ra/" + SHARED, require(sharedB));
  }

  @Test
  void tagFiltersAndModes_denyOrServeOnlyTheCache(@TempDir Path tmp) throws Exception {
    String repo = "it/rules-tags";
    String ra = "ra/" + repo;
    TestImages.Image release = TestImages.write(tmp.resolve("release"), "1.0", 7401, 1024, 4096);
    TestImages.Image next = TestImages.write(tmp.resolve("next"), "2.0", 7402, 1024, 4096);
    skopeo().push(release.layout(), "1.0", registry().ref(repo, "1.0"));
    skopeo().push(release.layout(), "1.0", registry().ref(repo, "1.0-rc1"));
    skopeo().push(next.layout(), "2.0", registry().ref(repo, "2.0"));
    Path direct = copyDirect(tmp, registry(), repo, "1.0");
    String excludeRc = "tagExclude: [\"*-rc*\"]";
    JarProxy proxy = start(tmp, config(rule(RULE_A, "ra/*", registry(), excludeRc)));

    assertPullsLike(tmp, direct, proxy, ra, "1.0");
    int before = registry().settledRequests().size();
    assertCopyFails(tmp, proxy, ra, "1.0-rc1");
    assertDenied(proxy.getManifest(ra, "1.0-rc1"), RULE_A);
    assertNoUpstreamRequests(before, repo, "an excluded tag");

    proxy.awaitReloaded(
        proxy.replaceConfig(config(rule(RULE_A, "ra/*", registry(), excludeRc, "mode: readOnly"))));
    before = registry().settledRequests().size();
    assertPullsLike(tmp, direct, proxy, ra, "1.0");
    assertCopyFails(tmp, proxy, ra, "2.0");
    assertError(proxy.getManifest(ra, "2.0"), 404, "MANIFEST_UNKNOWN", RULE_A);
    assertNoUpstreamRequests(before, repo, "readOnly mode");

    proxy.awaitReloaded(
        proxy.replaceConfig(config(rule(RULE_A, "ra/*", registry(), "mode: disabled"))));
    before = registry().settledRequests().size();
    assertDenied(proxy.getManifest(ra, "1.0"), RULE_A);
    assertCopyFails(tmp, proxy, ra, "1.0");
    assertNoUpstreamRequests(before, repo, "disabled mode");
  }

  @Test
  void rulesEndpoint_countsMatchesPerRule(@TempDir Path tmp) throws Exception {
    JarProxy proxy =
        start(
            tmp,
            config(
                rule(RULE_A, "ra/*", registry()),
                rule(RULE_B, "rb/*", registryB()),
                rule("unused", "rc/*", registry())));
    assertManifest(proxy, "ra/" + SHARED, require(sharedA));
    assertManifest(proxy, "rb/" + SHARED, require(sharedB));
    assertManifest(proxy, "rb/" + SHARED, require(sharedB));

    HttpResponse<String> response = proxy.get("/_cache-proxy/rules");
    assertThat(response.statusCode())
        .as("GET /_cache-proxy/rules: %s", response.body())
        .isEqualTo(200);
    JsonNode body = JSON.readTree(response.body());
    assertThat(matches(body, RULE_A)).as("matches of %s in %s", RULE_A, body).isPositive();
    assertThat(matches(body, RULE_B))
        .as("matches of %s in %s", RULE_B, body)
        .isGreaterThanOrEqualTo(2);
    assertThat(matches(body, "unused")).as("matches of the unused rule in %s", body).isZero();
  }

  /** The {@code matches} of the rule named {@code name} in the rules endpoint's answer. */
  private static long matches(JsonNode body, String name) {
    JsonNode rules = body.isArray() ? body : body.path("rules");
    for (JsonNode rule : rules) {
      if (rule.path("name").asText().equals(name)) {
        assertThat(rule.path("matches").isIntegralNumber())
            .as("rule %s has a numeric 'matches' in %s", name, rule)
            .isTrue();
        return rule.path("matches").asLong();
      }
    }
    throw new AssertionError("no rule named " + name + " in " + body);
  }

  private JarProxy start(Path tmp, String yaml) throws Exception {
    JarProxy proxy = JarProxy.start(tmp.resolve("proxy"), yaml);
    proxies.add(proxy);
    return proxy;
  }

  /** A config with {@code rules} and nothing else: the command line sets port, data and address. */
  private static String config(String... rules) {
    return "rules:\n" + String.join("", rules);
  }

  /** One rule from {@code target} to every repository of {@code source}, extra keys as given. */
  private static String rule(String name, String target, RegistryProcess source, String... extra) {
    StringBuilder yaml =
        new StringBuilder()
            .append("  - name: ")
            .append(name)
            .append('\n')
            .append("    target: \"")
            .append(target)
            .append("\"\n")
            .append("    source: \"http://")
            .append(source.hostPort())
            .append("/*\"\n")
            .append("    tagFreshness: 0s\n");
    for (String line : extra) {
      yaml.append("    ").append(line).append('\n');
    }
    return yaml.toString();
  }

  /** Copies {@code repo:tag} from {@code upstream} and through {@code alias}; same bytes. */
  private void assertPullsLikeDirect(
      Path tmp, JarProxy proxy, String alias, RegistryProcess upstream, String repo, String tag) {
    assertPullsLike(tmp, copyDirect(tmp, upstream, repo, tag), proxy, alias + repo, tag);
  }

  /** Copies {@code repo:tag} straight from {@code upstream} into a new folder. */
  private Path copyDirect(Path tmp, RegistryProcess upstream, String repo, String tag) {
    Path direct = tmp.resolve("direct-" + copies.incrementAndGet());
    skopeo().copy(upstream.ref(repo, tag), direct);
    return direct;
  }

  /**
   * Copies {@code name:tag} through the proxy into a new folder; the same files as {@code direct}.
   */
  private void assertPullsLike(Path tmp, Path direct, JarProxy proxy, String name, String tag) {
    Path proxied = tmp.resolve("proxied-" + copies.incrementAndGet());
    skopeo().copy(proxy.ref(name, tag), proxied);
    Folders.assertIdentical(direct, proxied);
  }

  /** Pulling {@code name:tag} with skopeo fails, with the proxy's message naming the rule. */
  private void assertCopyFails(Path tmp, JarProxy proxy, String name, String tag) {
    Skopeo.Result result =
        skopeo().tryCopy(proxy.ref(name, tag), tmp.resolve("refused-" + copies.incrementAndGet()));
    assertThat(result.exitCode())
        .as("pulling %s:%s must fail: %s", name, tag, result.describe("ended"))
        .isNotZero();
    assertThat(result.stderr())
        .as("skopeo shows the proxy's reason, naming the rule")
        .contains("'" + RULE_A + "'");
  }

  private static void assertManifest(JarProxy proxy, String name, TestImages.Image expected)
      throws IOException, InterruptedException {
    HttpResponse<byte[]> response = proxy.getManifest(name, expected.tag());
    assertThat(response.statusCode())
        .as("GET manifest %s:%s%s", name, expected.tag(), proxy.logTail())
        .isEqualTo(200);
    assertThat(Digest.sha256(response.body()))
        .as("digest of %s:%s", name, expected.tag())
        .isEqualTo(expected.manifest().digest());
  }

  private static void assertDenied(HttpResponse<byte[]> response, String rule) throws IOException {
    assertError(response, 403, "DENIED", rule);
  }

  /** Asserts an OCI error answer: its status, its code and a message naming {@code rule}. */
  private static void assertError(
      HttpResponse<byte[]> response, int status, String code, String rule) throws IOException {
    String body = new String(response.body(), StandardCharsets.UTF_8);
    assertThat(response.statusCode())
        .as("status of %s, body %s", response.uri(), body)
        .isEqualTo(status);
    JsonNode error = JSON.readTree(body).path("errors").path(0);
    assertThat(error.path("code").asText()).as("error code in %s", body).isEqualTo(code);
    assertThat(error.path("message").asText())
        .as("the message names the rule")
        .contains("'" + rule + "'");
  }

  private static void assertNoUpstreamRequests(int before, String repo, String why) {
    assertThat(AccessLogEntry.since(registry().settledRequests(), before))
        .as("requests for %s reaching registry A under %s", repo, why)
        .noneMatch(e -> e.path().startsWith("/v2/" + repo + "/"));
  }

  /** Reads up to {@code limit} bytes of {@code in} into {@code sha256}; returns how many. */
  private static long read(InputStream in, MessageDigest sha256, long limit) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    long total = 0;
    while (total < limit) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - total));
      if (n < 0) {
        break;
      }
      sha256.update(buffer, 0, n);
      total += n;
    }
    return total;
  }

  private static RegistryProcess registryB() {
    return require(registryB);
  }

  private static <T> T require(@Nullable T value) {
    if (value == null) {
      throw new IllegalStateException("not set up: @BeforeAll did not run or failed");
    }
    return value;
  }
}
