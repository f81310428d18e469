/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Fuzzes the {@code WWW-Authenticate} parser, {@link AuthChallenge#parse}, which reads what any
 * upstream (or anything pretending to be one) sends. Each line of an input is one header value; the
 * seeds in {@code AuthChallengeFuzzTestInputs/parse/} are real challenges from Docker Hub, GHCR,
 * Quay, ECR, GCR and distribution.
 *
 * <p>Properties: it never throws (it documents that it skips what it cannot read); schemes and
 * parameter names are non-empty lower-case tokens; and the challenges it returns, written back as
 * one canonical header or as one header each (quoted values, escaped quotes and backslashes), parse
 * to the same challenges.
 */
class AuthChallengeFuzzTest {

  @FuzzTest
  void parse(byte[] input) {
    List<String> headers = new String(input, UTF_8).lines().toList();
    List<AuthChallenge> challenges = AuthChallenge.parse(headers);

    for (AuthChallenge challenge : challenges) {
      assertThat(challenge.scheme()).matches(LOWER_TOKEN);
      assertThat(challenge.params().keySet())
          .allSatisfy(name -> assertThat(name).matches(LOWER_TOKEN));
      assertThat(challenge.params().values()).doesNotContainNull();
    }
    if (challenges.isEmpty()) {
      return;
    }
    List<String> each = challenges.stream().map(AuthChallengeFuzzTest::write).toList();
    assertThat(AuthChallenge.parse(List.of(String.join(", ", each))))
        .as("written as one header: %s", each)
        .isEqualTo(challenges);
    assertThat(AuthChallenge.parse(each))
        .as("written one per header: %s", each)
        .isEqualTo(challenges);
  }

  /** RFC 9110 token characters, lower-case. */
  private static final String LOWER_TOKEN = "[a-z0-9!#$%&'*+\\-.^_`|~/]+";

  /** A challenge as a header value: {@code scheme name="value", ...}. */
  private static String write(AuthChallenge challenge) {
    if (challenge.params().isEmpty()) {
      return challenge.scheme();
    }
    return challenge.scheme()
        + " "
        + challenge.params().entrySet().stream()
            .map(AuthChallengeFuzzTest::write)
            .collect(Collectors.joining(", "));
  }

  private static String write(Map.Entry<String, String> param) {
    return param.getKey()
        + "=\""
        + param.getValue().replace("\\", "\\\\").replace("\"", "\\\"")
        + "\"";
  }
}
