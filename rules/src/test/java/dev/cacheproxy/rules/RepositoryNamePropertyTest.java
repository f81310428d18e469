/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/** Checks the hand-written name check against the distribution grammar's regular expression. */
class RepositoryNamePropertyTest {

  private static final Pattern GRAMMAR =
      Pattern.compile(
          "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*)*");

  @Property(tries = 5000, seed = "42")
  void isValid_agreesWithRegex(@ForAll("nameLike") String s) {
    boolean expected = s.length() <= RepositoryName.MAX_LENGTH && GRAMMAR.matcher(s).matches();
    Statistics.label("valid").collect(expected);
    assertThat(RepositoryName.isValid(s)).as("'%s'", s).isEqualTo(expected);
    Statistics.label("valid").coverage(c -> c.check(true).percentage(p -> p > 5));
  }

  @Provide
  Arbitrary<String> nameLike() {
    // Mostly letters and digits, with separators and a few characters never allowed.
    return Arbitraries.strings()
        .withChars("ab0")
        .withChars("ab0./_-")
        .withChars("A#")
        .ofMinLength(1)
        .ofMaxLength(12);
  }
}
