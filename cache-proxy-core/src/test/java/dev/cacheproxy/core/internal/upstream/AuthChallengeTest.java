/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parsing of {@code WWW-Authenticate} by {@link AuthChallenge}. */
class AuthChallengeTest {

  @Test
  void parse_dockerHubBearer_realmServiceScope() {
    List<AuthChallenge> challenges =
        AuthChallenge.parse(
            List.of(
                "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                    + "scope=\"repository:library/nginx:pull\""));

    assertThat(challenges)
        .containsExactly(
            new AuthChallenge(
                "bearer",
                Map.of(
                    "realm", "https://auth.docker.io/token",
                    "service", "registry.docker.io",
                    "scope", "repository:library/nginx:pull")));
  }

  @Test
  void parse_quotedCommasAndEscapes_keptInValue() {
    List<AuthChallenge> challenges =
        AuthChallenge.parse(
            List.of(
                "Bearer realm=\"https://a/token\", scope=\"repository:a:pull,push"
                    + " repository:b:pull\", error=\"say \\\"hi\\\"\""));

    assertThat(challenges).hasSize(1);
    assertThat(challenges.get(0).param("scope"))
        .isEqualTo("repository:a:pull,push repository:b:pull");
    assertThat(challenges.get(0).param("error")).isEqualTo("say \"hi\"");
  }

  @Test
  void parse_severalChallengesInOneValue_allFound() {
    List<AuthChallenge> challenges =
        AuthChallenge.parse(
            List.of(
                "Basic realm=\"Registry, Inc\", BEARER Realm = \"https://t/token\" , Negotiate"));

    assertThat(challenges)
        .extracting(AuthChallenge::scheme)
        .containsExactly("basic", "bearer", "negotiate");
    assertThat(challenges.get(0).param("realm")).isEqualTo("Registry, Inc");
    assertThat(challenges.get(1).param("realm")).isEqualTo("https://t/token");
    assertThat(challenges.get(2).params()).isEmpty();
  }

  @Test
  void parse_severalHeaderValuesAndToken68_allFound() {
    List<AuthChallenge> challenges =
        AuthChallenge.parse(List.of("Negotiate abc/def==", "basic realm=registry"));

    assertThat(challenges).extracting(AuthChallenge::scheme).containsExactly("negotiate", "basic");
    assertThat(challenges.get(1).param("realm")).isEqualTo("registry");
  }

  @Test
  void parse_unquotedUrlValue_readLeniently() {
    List<AuthChallenge> challenges =
        AuthChallenge.parse(List.of("Bearer realm=https://t:8443/token?a=b,service=reg"));

    assertThat(challenges.get(0).param("realm")).isEqualTo("https://t:8443/token?a=b");
    assertThat(challenges.get(0).param("service")).isEqualTo("reg");
  }

  @Test
  void parse_noSchemes_empty() {
    assertThat(AuthChallenge.parse(List.of("", " , ,", "==, ;"))).isEmpty();
  }

  @Test
  void parse_unterminatedQuote_takesTheRest() {
    List<AuthChallenge> challenges =
        AuthChallenge.parse(List.of("Bearer service=reg, realm=\"https://t/token"));

    assertThat(challenges.get(0).param("realm")).isEqualTo("https://t/token");
    assertThat(challenges.get(0).param("service")).isEqualTo("reg");
  }
}
