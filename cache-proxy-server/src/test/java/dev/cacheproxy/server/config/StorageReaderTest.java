/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.core.storage.StorageSettings;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The {@code storage} keys: size limit, watermarks, free-space floor and access tracking. */
class StorageReaderTest {

  private static final long GIB = 1L << 30;

  private static StorageSettings storage(String keys) {
    return ProxyConfig.parse("storage:\n" + keys.indent(2)).storage();
  }

  private static String refused(String keys) {
    try {
      ProxyConfig.parse("storage:\n" + keys.indent(2));
    } catch (ConfigException e) {
      return e.getMessage();
    }
    throw new AssertionError("expected a ConfigException");
  }

  @Test
  void storage_readsEveryKey() {
    ProxyConfig config =
        ProxyConfig.parse(
            """
            storage:
              dataDir: /var/cache/proxy
              maxSize: 50GiB
              highWatermark: 0.95
              lowWatermark: 75%
              minFreeSpace: 512MiB
              accessTracking: false
            """);

    assertThat(config.dataDirectory()).isEqualTo(Path.of("/var/cache/proxy"));
    assertThat(config.storage())
        .isEqualTo(new StorageSettings(50 * GIB, 0.95, 0.75, 512L << 20, false));
  }

  @Test
  void storage_absentKeys_keepTheDefaults() {
    assertThat(ProxyConfig.parse("").storage()).isEqualTo(StorageSettings.DEFAULTS);
    assertThat(ProxyConfig.parse("storage:\n  dataDir: /tmp/x\n").storage())
        .isEqualTo(StorageSettings.DEFAULTS);
    assertThat(storage("maxSize: 10GiB")).isEqualTo(StorageSettings.DEFAULTS.withMaxSize(10 * GIB));
  }

  @Test
  void builtIn_hasTheDefaultStorageSettings() {
    assertThat(ProxyConfig.builtIn().storage()).isEqualTo(StorageSettings.DEFAULTS);
    assertThat(ProxyConfig.builtIn().storage().bounded()).isFalse();
  }

  @Test
  void sizes_takeBinaryAndDecimalUnits_orBytes() {
    assertThat(storage("maxSize: 50GiB").maxSize()).isEqualTo(50 * GIB);
    assertThat(storage("maxSize: 50G").maxSize()).isEqualTo(50 * GIB);
    assertThat(storage("maxSize: 1.5 TiB").maxSize()).isEqualTo(3 * (1L << 39));
    assertThat(storage("maxSize: 500GB").maxSize()).isEqualTo(500_000_000_000L);
    assertThat(storage("maxSize: 2tb").maxSize()).isEqualTo(2_000_000_000_000L);
    assertThat(storage("maxSize: 1048576").maxSize()).isEqualTo(1L << 20);
    assertThat(storage("maxSize: \"1048576\"").maxSize()).isEqualTo(1L << 20);
    assertThat(storage("maxSize: 0").bounded()).isFalse();
    assertThat(storage("minFreeSpace: 0").minFreeSpace()).isZero();
    assertThat(storage("minFreeSpace: 10GB").minFreeSpace()).isEqualTo(10_000_000_000L);
  }

  @Test
  void watermarks_takeFractionsAndPercentages() {
    assertThat(storage("highWatermark: 0.95").highWatermark()).isEqualTo(0.95);
    assertThat(storage("highWatermark: 1").highWatermark()).isEqualTo(1.0);
    assertThat(storage("highWatermark: 90%").highWatermark()).isEqualTo(0.9);
    assertThat(storage("highWatermark: \"100%\"").highWatermark()).isEqualTo(1.0);
    assertThat(storage("lowWatermark: \"0.5\"").lowWatermark()).isEqualTo(0.5);
    assertThat(storage("lowWatermark: 62.5 %").lowWatermark()).isEqualTo(0.625);
    StorageSettings equal = storage("highWatermark: 85%\nlowWatermark: 0.85");
    assertThat(equal.lowWatermark()).isEqualTo(equal.highWatermark());
    StorageSettings bounded = storage("maxSize: 1000\nhighWatermark: 90%\nlowWatermark: 80%");
    assertThat(bounded.highBytes()).isEqualTo(900);
    assertThat(bounded.lowBytes()).isEqualTo(800);
  }

  @Test
  void accessTracking_isABoolean() {
    assertThat(storage("accessTracking: false").accessTracking()).isFalse();
    assertThat(storage("accessTracking: true").accessTracking()).isTrue();
  }

  @Test
  void badSizes_areRefusedNamingTheKey() {
    assertThat(refused("maxSize: 50 gigs"))
        .isEqualTo(
            "storage.maxSize: '50 gigs' is not a size; write a number of bytes or one with a unit,"
                + " like 50GiB");
    assertThat(refused("maxSize: -1"))
        .isEqualTo("storage.maxSize must be a size of 0 or more bytes, not '-1'");
    assertThat(refused("maxSize: 1.5"))
        .isEqualTo(
            "storage.maxSize: '1.5' is not a size; write a number of bytes or one with a unit,"
                + " like 50GiB");
    assertThat(refused("minFreeSpace: true"))
        .isEqualTo(
            "storage.minFreeSpace: 'true' is not a size; write a number of bytes or one with a"
                + " unit, like 50GiB");
    assertThat(refused("maxSize: 99999999999999999999"))
        .isEqualTo("storage.maxSize must be a size of 0 or more bytes, not '99999999999999999999'");
    assertThat(refused("maxSize: 99999999TiB"))
        .isEqualTo("storage.maxSize: '99999999TiB' is too large");
    assertThat(refused("minFreeSpace: [1GiB]"))
        .isEqualTo(
            "storage.minFreeSpace: a list is not a size; write a number of bytes or one with a"
                + " unit, like 50GiB");
  }

  @Test
  void badWatermarks_areRefusedNamingTheKey() {
    assertThat(refused("highWatermark: 1.5"))
        .isEqualTo("storage.highWatermark must be above 0 and at most 1 (100%), not '1.5'");
    assertThat(refused("highWatermark: 150%"))
        .isEqualTo("storage.highWatermark must be above 0 and at most 1 (100%), not '150%'");
    assertThat(refused("lowWatermark: 0"))
        .isEqualTo("storage.lowWatermark must be above 0 and at most 1 (100%), not '0'");
    assertThat(refused("lowWatermark: \"-5%\""))
        .isEqualTo("storage.lowWatermark must be above 0 and at most 1 (100%), not '-5%'");
    assertThat(refused("highWatermark: high"))
        .isEqualTo(
            "storage.highWatermark: 'high' is not a fraction; write one such as 0.9, or a"
                + " percentage such as \"90%\"");
    assertThat(refused("highWatermark: 90 percent"))
        .startsWith("storage.highWatermark: '90 percent' is not a fraction");
  }

  @Test
  void lowWatermark_aboveHighWatermark_isRefused() {
    assertThat(refused("lowWatermark: 0.95"))
        .isEqualTo(
            "storage.lowWatermark (0.95) must not be above storage.highWatermark (0.9, the"
                + " default)");
    assertThat(refused("highWatermark: 70%\nlowWatermark: 80%"))
        .isEqualTo("storage.lowWatermark (0.8) must not be above storage.highWatermark (0.7)");
  }

  @Test
  void badAccessTracking_isRefusedNamingTheKey() {
    assertThat(refused("accessTracking: sometimes"))
        .isEqualTo("storage.accessTracking must be true or false, not 'sometimes'");
    assertThat(refused("accessTracking: \"false\""))
        .isEqualTo("storage.accessTracking must be true or false without quotes, not 'false'");
    assertThat(refused("accessTracking: 1"))
        .isEqualTo("storage.accessTracking must be true or false, not '1'");
  }

  @Test
  void unknownStorageKey_isRefused_withAHint() {
    assertThat(refused("maxsize: 1GiB"))
        .isEqualTo(
            "unknown key 'maxsize' at storage.maxsize: expected one of dataDir, maxSize,"
                + " highWatermark, lowWatermark, minFreeSpace, accessTracking; did you mean"
                + " 'maxSize'?");
    assertThat(refused("highWaterMark: 0.9")).contains("did you mean 'highWatermark'?");
  }

  @Test
  void storageErrors_nameTheFile() {
    assertThat(
            org.assertj.core.api.Assertions.catchThrowable(
                () -> ProxyConfig.parse(Path.of("proxy.yaml"), "storage:\n  maxSize: lots\n")))
        .hasMessageStartingWith("proxy.yaml: storage.maxSize: 'lots' is not a size");
  }

  @Test
  void describe_showsTheStorageSettingsTheWayTheServerLogsThem() {
    assertThat(ProxyConfig.describe(StorageSettings.DEFAULTS))
        .isEqualTo("maxSize unbounded, minFreeSpace 1.0 GiB, accessTracking on");
    assertThat(
            ProxyConfig.describe(
                storage(
                    "maxSize: 50GiB\nlowWatermark: 62.5%\nminFreeSpace: 0\n"
                        + "accessTracking: false")))
        .isEqualTo(
            "maxSize 50.0 GiB (evict above 90% down to 62.5%), minFreeSpace off, accessTracking"
                + " off");
    assertThat(ProxyConfig.parse("storage: {maxSize: 1GiB}").toString())
        .contains(", storage=maxSize 1.0 GiB (evict above 90% down to 80%), minFreeSpace");
  }

  @Test
  void withStorage_replacesOnlyTheStorageSettings() {
    StorageSettings bounded = StorageSettings.DEFAULTS.withMaxSize(GIB);
    ProxyConfig config = ProxyConfig.builtIn().withStorage(bounded);

    assertThat(config.storage()).isEqualTo(bounded);
    assertThat(config.dataDirectory()).isEqualTo(ProxyConfig.builtIn().dataDirectory());
    assertThat(config.rules()).isSameAs(ProxyConfig.builtIn().rules());
    assertThat(config.withPort(0).storage()).isEqualTo(bounded);
  }
}
