/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RepositoryNameTest {

  @ParameterizedTest
  @ValueSource(strings = {"nginx", "library/nginx", "a/b/c/d", "my-app", "my__app", "a.b_c--d/e0"})
  void of_validNames_accepted(String name) {
    assertThat(RepositoryName.of(name).value()).isEqualTo(name);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "", "Nginx", "/nginx", "nginx/", "a//b", "../etc", "a/../b", "a b", "-a", "a-", "a%2fb",
        "a___b"
      })
  void of_invalidNames_refused(String name) {
    assertThatThrownBy(() -> RepositoryName.of(name)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void of_tooLong_refused() {
    assertThatThrownBy(() -> RepositoryName.of("a".repeat(256)))
        .hasMessageContaining("longer than 255");
  }

  @Test
  void depth_countsComponents() {
    assertThat(RepositoryName.of("a/b/c").depth()).isEqualTo(3);
  }
}
