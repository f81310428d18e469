/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RuleTest {

  private static RulePolicy rewriting(String stripPrefix, String addPrefix) {
    return new RulePolicy(
        RulePolicy.Mode.ENABLED, List.of(), List.of(), null, stripPrefix, addPrefix);
  }

  @Test
  void of_defaults_freshnessAndPolicy() {
    Rule rule = Rule.of("hub", "hub/*", "docker.io/*");
    assertThat(rule.tagFreshness()).isEqualTo(Rule.DEFAULT_TAG_FRESHNESS);
    assertThat(rule.policy()).isEqualTo(RulePolicy.DEFAULT);
    assertThat(rule.credentials()).isNull();
    assertThat(rule.isWildcard()).isTrue();
    assertThat(rule.isDefault()).isFalse();
    assertThat(Rule.of("all", "*", "docker.io/*").isDefault()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-lead", "has space", "a/b", "ü"})
  void new_badName_refusedNamingField(String name) {
    assertThatThrownBy(() -> Rule.of(name, "hub/*", "docker.io/*"))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessageContaining("rule '" + name + "'")
        .hasMessageContaining("field 'name'");
  }

  @Test
  void new_nameOf65Characters_refused() {
    assertThatThrownBy(() -> Rule.of("a".repeat(65), "hub/*", "docker.io/*"))
        .hasMessageContaining("field 'name' must be 1-64");
    assertThat(Rule.of("a".repeat(64), "hub/*", "docker.io/*").name()).hasSize(64);
  }

  @Test
  void new_missingSource_refusedNamingField() {
    assertThatThrownBy(() -> new Rule("bad", "hub/*", null, null, null))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessage("rule 'bad': field 'source' is missing");
  }

  @Test
  void new_missingTarget_refusedNamingField() {
    assertThatThrownBy(() -> new Rule("bad", "", Source.parse("docker.io/*"), null, null))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessage("rule 'bad': field 'target' is missing");
  }

  @Test
  void new_wildcardTargetWithStaticSource_refusedNamingField() {
    assertThatThrownBy(() -> Rule.of("bad", "hub/*", "docker.io/library/nginx"))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessageContaining("rule 'bad': field 'source'")
        .hasMessageContaining("wildcard target 'hub/*' needs a wildcard source");
  }

  @Test
  void new_staticTargetWithWildcardSource_refusedNamingField() {
    assertThatThrownBy(() -> Rule.of("bad", "team/base", "ghcr.io/acme/*"))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessageContaining("rule 'bad': field 'source'")
        .hasMessageContaining("static target 'team/base' needs a static source");
  }

  @ParameterizedTest
  @ValueSource(strings = {"Hub/*", "hub/", "/hub/*", "hub//x/*", "hub/**"})
  void new_invalidTarget_refusedNamingField(String target) {
    assertThatThrownBy(() -> Rule.of("bad", target, "docker.io/*"))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessageContaining("rule 'bad': field 'target' '" + target + "'");
  }

  @Test
  void new_starInsideTarget_refusedSayingWhereItMayBe() {
    assertThatThrownBy(() -> Rule.of("bad", "a/*/b", "docker.io/*"))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessage("rule 'bad': field 'target' 'a/*/b' may only end in /* or be *");
  }

  @Test
  void parseSource_sourceWithoutRegistry_refusedNamingField() {
    assertThatThrownBy(() -> Rule.of("bad", "x/*", "library/*"))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessageContaining("rule 'bad': field 'source'")
        .hasMessageContaining("registry host");
  }

  @Test
  void parseSource_badScheme_refusedNamingField() {
    assertThatThrownBy(() -> Rule.of("bad", "x/*", "ftp://docker.io/*"))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessageContaining("rule 'bad': field 'source'")
        .hasMessageContaining("scheme");
  }

  @Test
  void new_negativeFreshness_refusedNamingField() {
    assertThatThrownBy(
            () -> new Rule("bad", "x/*", Source.parse("docker.io/*"), null, Duration.ofSeconds(-1)))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessage("rule 'bad': field 'tagFreshness' is negative");
  }

  @Test
  void new_blankCredentials_refusedNamingField() {
    assertThatThrownBy(() -> new Rule("bad", "x/*", Source.parse("docker.io/*"), " ", null))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessage("rule 'bad': field 'credentials' is blank");
  }

  @Test
  void new_stripPrefixOnStaticRule_refusedNamingField() {
    Source source = Source.parse("ghcr.io/acme/base");
    assertThatThrownBy(
            () -> new Rule("bad", "team/base", source, null, null, rewriting("legacy/", "")))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessageContaining("rule 'bad': field 'stripPrefix'")
        .hasMessageContaining("'team/base' is static");
  }

  @Test
  void new_addPrefixOnStaticRule_refusedNamingField() {
    Source source = Source.parse("ghcr.io/acme/base");
    assertThatThrownBy(() -> new Rule("bad", "team/base", source, null, null, rewriting("", "x/")))
        .isInstanceOf(InvalidRuleException.class)
        .hasMessageContaining("rule 'bad': field 'addPrefix'")
        .hasMessageContaining("'team/base' is static");
  }

  @Test
  void new_rewriteOnWildcardRule_accepted() {
    Rule rule =
        new Rule(
            "ok", "old/*", Source.parse("docker.io/*"), null, null, rewriting("legacy/", "new/"));
    assertThat(rule.policy().stripPrefix()).isEqualTo("legacy/");
  }
}
