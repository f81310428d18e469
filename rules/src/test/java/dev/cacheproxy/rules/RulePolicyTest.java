/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RulePolicyTest {

  private static RulePolicy tags(List<String> include, List<String> exclude) {
    return new RulePolicy(RulePolicy.Mode.ENABLED, include, exclude, null, "", "");
  }

  @Test
  void allowsTag_noFilters_allowsEveryTag() {
    assertThat(RulePolicy.DEFAULT.allowsTag("latest")).isTrue();
    assertThat(RulePolicy.DEFAULT.allowsTag("1.2.3-rc.1")).isTrue();
  }

  @Test
  void allowsTag_include_allowsOnlyMatchingTags() {
    RulePolicy policy = tags(List.of("1.*", "stable"), List.of());
    assertThat(policy.allowsTag("1.25")).isTrue();
    assertThat(policy.allowsTag("stable")).isTrue();
    assertThat(policy.allowsTag("2.0")).isFalse();
    assertThat(policy.allowsTag("stable2")).isFalse();
    assertThat(policy.allowsTag("x1.25")).isFalse();
  }

  @Test
  void allowsTag_exclude_refusesMatchingTags() {
    RulePolicy policy = tags(List.of(), List.of("*-rc*", "latest"));
    assertThat(policy.allowsTag("1.0-rc1")).isFalse();
    assertThat(policy.allowsTag("latest")).isFalse();
    assertThat(policy.allowsTag("1.0")).isTrue();
    assertThat(policy.allowsTag("latest2")).isTrue();
  }

  @Test
  void allowsTag_excludeBeatsInclude() {
    RulePolicy policy = tags(List.of("1.*"), List.of("*-debug"));
    assertThat(policy.allowsTag("1.2")).isTrue();
    assertThat(policy.allowsTag("1.2-debug")).isFalse();
  }

  @ParameterizedTest
  @CsvSource({
    "v?, v1, true",
    "v?, v10, false",
    "v?, v, false",
    "1.?.?, 1.2.3, true",
    "*alpine*, 3.20-alpine3.19, true",
    "*alpine*, alpine, true",
    "*alpine*, alpin, false",
    "*-slim, bookworm-slim, true",
    "*-slim, bookworm-slim-x, false",
    "1.*, 1., true",
    "*, anything, true",
    "a*b*c, abc, true",
    "a*b*c, aXbYbZc, true",
    "a*b*c, aXbYcZ, false",
    "**, x, true"
  })
  void globMatches_starAndQuestionMark(String glob, String tag, boolean expected) {
    assertThat(RulePolicy.globMatches(glob, tag)).isEqualTo(expected);
    assertThat(tags(List.of(glob), List.of()).allowsTag(tag)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a b", "v/1", "1.0+build", "ü"})
  void new_badGlob_refusedNamingField(String glob) {
    assertThatThrownBy(() -> tags(List.of(glob), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("field 'tagInclude'")
        .hasMessageContaining("is not a tag pattern");
    assertThatThrownBy(() -> tags(List.of(), List.of(glob)))
        .hasMessageContaining("field 'tagExclude'");
  }

  @Test
  void new_globOf129Characters_refused() {
    assertThatThrownBy(() -> tags(List.of("x".repeat(129)), List.of()))
        .hasMessageContaining("field 'tagInclude'");
    assertThat(tags(List.of("x".repeat(128)), List.of()).allowsTag("x".repeat(128))).isTrue();
  }

  @Test
  void new_negativeStaleLimit_refusedNamingField() {
    assertThatThrownBy(() ->
            new RulePolicy(
                RulePolicy.Mode.ENABLED, List.of(), List.of(), Duration.ofSeconds(-1), "", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("field 'staleIfErrorLimit' is negative");
  }

  @ParameterizedTest
  @ValueSource(strings = {"legacy", "/legacy/", "Legacy/", "a//", "a/b"})
  void new_badPrefixes_refusedNamingField(String prefix) {
    RulePolicy.Mode mode = RulePolicy.Mode.ENABLED;
    assertThatThrownBy(() -> new RulePolicy(mode, List.of(), List.of(), null, prefix, ""))
        .hasMessageContaining("field 'stripPrefix': '" + prefix + "'")
        .hasMessageContaining("each ending in '/'");
    assertThatThrownBy(() -> new RulePolicy(mode, List.of(), List.of(), null, "", prefix))
        .hasMessageContaining("field 'addPrefix': '" + prefix + "'");
  }

  @Test
  void new_missingMode_refusedNamingField() {
    assertThatThrownBy(() -> new RulePolicy(null, List.of(), List.of(), null, "", ""))
        .hasMessage("field 'mode' is missing");
  }

  @Test
  void forRule_invalid_namesRuleAndField() {
    assertThatThrownBy(() ->
            RulePolicy.forRule(
                "hub", RulePolicy.Mode.ENABLED, List.of("bad glob"), List.of(), null, "", ""))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessageStartingWith("rule 'hub': field 'tagInclude': 'bad glob'");
    assertThatThrownBy(() ->
            RulePolicy.forRule(
                "hub",
                RulePolicy.Mode.READ_ONLY,
                List.of(),
                List.of(),
                Duration.ofMinutes(-1),
                "",
                ""))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessage("rule 'hub': field 'staleIfErrorLimit' is negative");
    assertThatThrownBy(() ->
            RulePolicy.forRule("hub", RulePolicy.Mode.ENABLED, List.of(), List.of(), null, "", "x"))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessageStartingWith("rule 'hub': field 'addPrefix': 'x'");
  }

  @Test
  void forRule_valid_copiesLists() {
    List<String> include = new ArrayList<>(List.of("1.*"));
    RulePolicy policy =
        RulePolicy.forRule(
            "hub", RulePolicy.Mode.DISABLED, include, List.of(), Duration.ZERO, "a/", "b/c/");
    include.clear();
    assertThat(policy.tagInclude()).containsExactly("1.*");
    assertThat(policy.mode()).isEqualTo(RulePolicy.Mode.DISABLED);
  }

  @ParameterizedTest
  @CsvSource({
    "legacy/, '', legacy/redis, redis",
    "legacy/, '', other/redis, other/redis",
    "legacy/, '', legacyx/redis, legacyx/redis",
    "'', new/, redis, new/redis",
    "a/b/, c/, a/b/x/y, c/x/y",
    "a/, '', a, a"
  })
  void rewrite_stripsThenAdds(String strip, String add, String remainder, String expected) {
    RulePolicy policy =
        new RulePolicy(RulePolicy.Mode.ENABLED, List.of(), List.of(), null, strip, add);
    assertThat(policy.rewrite(remainder)).isEqualTo(expected);
  }
}
