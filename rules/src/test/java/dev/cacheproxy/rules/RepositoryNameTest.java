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
        "",
        "Nginx",
        "/nginx",
        "nginx/",
        "a//b",
        "../etc",
        "a/../b",
        "a b",
        "-a",
        "a-",
        "a%2fb",
        "a___b",
        "..",
        ".",
        "a/.",
        "a/..",
        "a..b",
        "a._b",
        "a_-b",
        "a-_b",
        "a.-b",
        "_a",
        "a_",
        ".a",
        "a.",
        "a\\b",
        "a\u0000b",
        "a\nb",
        "a;b",
        "a:b",
        "a@b",
        "a%2e%2e",
        "n\u00e4me",
        "\uff41",
        "a/B",
        "a\tb",
        "~a"
      })
  void of_invalidNames_refused(String name) {
    assertThatThrownBy(() -> RepositoryName.of(name)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void of_tooLong_refused() {
    assertThatThrownBy(() -> RepositoryName.of("a".repeat(256)))
        .hasMessageContaining("longer than 255");
    assertThat(RepositoryName.isValid("a".repeat(255))).isTrue();
    assertThat(RepositoryName.isValid("a/".repeat(127) + "a")).isTrue();
    assertThat(RepositoryName.isValid("a/".repeat(128) + "a")).isFalse();
  }

  @Test
  void of_separatorRuns_followTheDistributionGrammar() {
    assertThat(RepositoryName.isValid("a__b")).isTrue();
    assertThat(RepositoryName.isValid("a---b")).isTrue();
    assertThat(RepositoryName.isValid("a.b.c")).isTrue();
    assertThat(RepositoryName.isValid("a-b_c.d__e/f")).isTrue();
    assertThat(RepositoryName.isValid("a-.b")).isFalse();
    assertThat(RepositoryName.isValid(null)).isFalse();
  }

  @Test
  void depth_countsComponents() {
    assertThat(RepositoryName.of("a/b/c").depth()).isEqualTo(3);
  }
}
