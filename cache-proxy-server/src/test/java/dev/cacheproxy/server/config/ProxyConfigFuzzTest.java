/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.config;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes {@link ProxyConfig#parse(String)}: the YAML reader ({@code ConfigReader}), the rules
 * reader and every section reader behind it. The seeds in {@code ProxyConfigFuzzTestInputs/parse/}
 * are the built-in {@code default-config.yaml} and configurations like the README's.
 *
 * <p>Properties: a configuration is either read or refused with {@link ConfigException} and a
 * message, never another exception; reading is deterministic, and an accepted configuration can be
 * described ({@code toString}, as the {@code config} subcommand and the startup log do). Inputs are
 * at most 64 KiB, and under {@code -P fuzz} one that takes longer than {@code fuzz.timeout} seconds
 * is reported as a hang.
 */
class ProxyConfigFuzzTest {

  @FuzzTest
  void parse(byte[] input) {
    if (input.length > 65_536) {
      return; // far beyond any real configuration file; keeps each input's work bounded
    }
    String yaml = new String(input, UTF_8);
    ProxyConfig config;
    try {
      config = ProxyConfig.parse(yaml);
    } catch (ConfigException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    assertThat(config.rules()).isNotNull();
    assertThat(config.toString()).isNotBlank().isEqualTo(ProxyConfig.parse(yaml).toString());
  }
}
