/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.core.storage.StorageSettings;
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
}
