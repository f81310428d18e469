/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.core.storage.StorageSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How configuration changes are worded in the reload log. */
class ConfigDiffTest {

  private static ProxyConfig withRules(String storage, String... ruleExtras) {
    StringBuilder yaml = new StringBuilder(storage).append("rules:\n");
    for (int i = 0; i < ruleExtras.length; i++) {
      yaml.append("  - name: r")
          .append(i)
          .append("\n    target: \"r")
          .append(i)
          .append("/*\"\n    source: \"docker.io/*\"\n");
      if (!ruleExtras[i].isEmpty()) {
        yaml.append(ruleExtras[i].indent(4));
      }
    }
    return ProxyConfig.parse(yaml.toString());
  }

  @Test
  void describe_namesRetentionChanges_withTheOldAndNewValue() {
    ProxyConfig before = withRules("", "", "keepFor: 30d", "pinned: true", "keepFor: 1d");
    ProxyConfig after =
        withRules("", "keepFor: 30d", "keepFor: 7d", "", "keepFor: 1d\ntagFreshness: 1m");

    assertThat(ConfigDiff.describe(before, after))
        .isEqualTo(
            "changed: r0, r1, r2, r3; retention changed: r0 (none -> keepFor 30d),"
                + " r1 (keepFor 30d -> keepFor 7d), r2 (pinned -> none)");
  }

  @Test
  void describe_addedRuleWithRetention_isOnlyNamedAsAdded() {
    ProxyConfig before = withRules("", "");
    ProxyConfig after = withRules("", "", "pinned: true");

    assertThat(ConfigDiff.describe(before, after)).isEqualTo("added: r1");
  }

  @Test
  void describe_sameRetention_isNoChange() {
    ProxyConfig config = withRules("", "keepFor: 30d\npinned: true");

    assertThat(ConfigDiff.describe(config, withRules("", "pinned: true\nkeepFor: 720h")))
        .isEqualTo("no rule changes");
  }

  @Test
  void restartOnly_namesEveryStorageChange() {
    ProxyConfig before = withRules("", "");
    ProxyConfig after =
        withRules(
            """
            storage:
              maxSize: 50GiB
              highWatermark: 95%
              lowWatermark: 0.5
              minFreeSpace: 0
              accessTracking: false
            """,
            "");

    assertThat(ConfigDiff.restartOnly(before, after))
        .containsExactly(
            "storage.maxSize changed from none to 50.0 GiB",
            "storage.highWatermark changed from 0.9 to 0.95",
            "storage.lowWatermark changed from 0.8 to 0.5",
            "storage.minFreeSpace changed from 1.0 GiB to none",
            "storage.accessTracking changed from true to false");
    assertThat(ConfigDiff.describe(before, after)).isEqualTo("no rule changes");
  }

  @Test
  void restartOnly_namesEveryUpstreamResilienceChange() {
    ProxyConfig before =
        withRules(
            """
            upstream:
              registries:
                docker.io: {requestsPerSecond: 10}
                quay.io: {}
            """,
            "");
    ProxyConfig after =
        withRules(
            """
            upstream:
              keepDeletedTags: false
              retryAttempts: 5
              retryBackoff: 1s
              retryMaxBackoff: 10s
              circuitBreaker: {failureRate: "25%", minimumCalls: 5, window: 10, openFor: 1m}
              maxConcurrentRequests: 8
              maxQueueTime: 0s
              requestsPerSecond: 0.5
              registries:
                index.docker.io: {requestsPerSecond: 20, retryAttempts: 5}
                ghcr.io: {}
            """,
            "");

    List<String> changes = ConfigDiff.restartOnly(before, after);
    assertThat(changes)
        .containsExactly(
            "upstream.keepDeletedTags changed from true to false",
            "upstream.retryAttempts changed from 3 to 5",
            "upstream.retryBackoff changed from 200ms to 1s",
            "upstream.retryMaxBackoff changed from 5s to 10s",
            "upstream.circuitBreaker.failureRate changed from 50% to 25%",
            "upstream.circuitBreaker.minimumCalls changed from 10 to 5",
            "upstream.circuitBreaker.window changed from 20 to 10",
            "upstream.circuitBreaker.openFor changed from 30s to 1m",
            "upstream.maxConcurrentRequests changed from 64 to 8",
            "upstream.maxQueueTime changed from 30s to 0s",
            "upstream.requestsPerSecond changed from 0 to 0.5",
            "upstream.registries.docker.io.retryAttempts changed from 3 to 5",
            "upstream.registries.docker.io.retryBackoff changed from 200ms to 1s",
            "upstream.registries.docker.io.retryMaxBackoff changed from 5s to 10s",
            "upstream.registries.docker.io.circuitBreaker.failureRate changed from 50% to 25%",
            "upstream.registries.docker.io.circuitBreaker.minimumCalls changed from 10 to 5",
            "upstream.registries.docker.io.circuitBreaker.window changed from 20 to 10",
            "upstream.registries.docker.io.circuitBreaker.openFor changed from 30s to 1m",
            "upstream.registries.docker.io.maxConcurrentRequests changed from 64 to 8",
            "upstream.registries.docker.io.maxQueueTime changed from 30s to 0s",
            "upstream.registries.docker.io.requestsPerSecond changed from 10 to 20",
            "upstream.registries.ghcr.io added",
            "upstream.registries.quay.io removed");
    assertThat(ConfigDiff.describe(before, after)).isEqualTo("no rule changes");
  }

  @Test
  void restartOnly_oneUpstreamKeyChanged_isNamedAlone() {
    ProxyConfig before = withRules("upstream:\n  registries: {ghcr.io: {retryAttempts: 2}}\n", "");
    ProxyConfig after =
        withRules("upstream:\n  registries: {ghcr.io: {retryAttempts: 2, maxQueueTime: 5s}}\n", "");

    assertThat(ConfigDiff.restartOnly(before, after))
        .containsExactly("upstream.registries.ghcr.io.maxQueueTime changed from 30s to 5s");
    assertThat(
            ConfigDiff.restartOnly(before, withRules("upstream:\n  notFoundCacheTime: 0s\n", "")))
        .containsExactly(
            "upstream.notFoundCacheTime changed from 30s to 0s",
            "upstream.registries.ghcr.io removed");
  }

  @Test
  void restartOnly_sizesThatRoundAlike_showTheExactBytes() {
    ProxyConfig before = ProxyConfig.builtIn().withStorage(StorageSettings.DEFAULTS);
    ProxyConfig after =
        before.withStorage(StorageSettings.DEFAULTS.withMinFreeSpace((1L << 30) + 1));

    assertThat(ConfigDiff.restartOnly(before, after))
        .containsExactly(
            "storage.minFreeSpace changed from 1.0 GiB (1073741824 bytes) to 1.0 GiB"
                + " (1073741825 bytes)");
  }

  @Test
  void restartOnly_sameStorageWrittenDifferently_isNoChange() {
    ProxyConfig before =
        withRules("storage:\n  maxSize: 1GiB\n  highWatermark: 0.9\n  minFreeSpace: 1G\n", "");
    ProxyConfig after =
        withRules(
            "storage:\n  maxSize: 1073741824\n  highWatermark: 90%\n  accessTracking: true\n", "");

    assertThat(ConfigDiff.restartOnly(before, after)).isEmpty();
  }

  @Test
  void restartOnly_namesAdminChanges() {
    ProxyConfig before = withRules("admin:\n  port: 5050\n", "");
    ProxyConfig after = withRules("admin:\n  port: 6060\n  bindAddress: 0.0.0.0\n", "");

    assertThat(ConfigDiff.restartOnly(before, after))
        .containsExactly(
            "admin.port changed from 5050 to 6060",
            "admin.bindAddress changed from 127.0.0.1 to 0.0.0.0");
    assertThat(ConfigDiff.restartOnly(before, withRules("", "")))
        .containsExactly("admin.port changed from 5050 to 0");
    assertThat(ConfigDiff.restartOnly(before, withRules("admin: {port: 5050}\n", ""))).isEmpty();
    assertThat(ConfigDiff.describe(before, after)).isEqualTo("no rule changes");
  }
}
