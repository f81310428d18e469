/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

import static org.assertj.core.api.Assertions.assertThat;

/** Checks the fuzz tests share on the messages of refused input. */
final class FuzzChecks {

  /**
   * The most characters a refusal may have: it quotes the input shortened, so a megabyte of junk
   * never lands whole in a log line or an error body.
   */
  static final int MAX_LENGTH = 400;

  private FuzzChecks() {}

  /** Asserts that {@code e} has a message that says something and is short. */
  static void assertShort(Exception e) {
    assertThat(e.getMessage()).isNotBlank().hasSizeLessThanOrEqualTo(MAX_LENGTH);
  }
}
