/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.auth;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Fuzzes {@link JwtTokens#verify}, which checks the bearer tokens clients send. An input is either
 * a token string as is (the seeds in {@code JwtTokensFuzzTestInputs/verify/}: JWTs with {@code alg}
 * none, HS256 keyed with the public key, another key, bad JSON), or, when it starts with {@code !},
 * edits to a token this test issued with the verifier's own key: each 3 bytes are a position (2
 * bytes) and a character, 0 deleting the character there.
 *
 * <p>Properties: verify never throws (it documents empty for anything it refuses); it accepts the
 * token it issued, with the principal and access it was issued for; and it accepts nothing else
 * unless the text is byte-identical to that token.
 */
class JwtTokensFuzzTest {

  private static final String SERVICE = "cache-proxy";
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
  private static final Principal ALICE = new Principal("alice", Principal.Kind.USER);
  private static final List<Scope> ACCESS =
      List.of(new Scope(Scope.REPOSITORY, "hub/library/nginx", Set.of("pull")));
  private static final JwtTokens TOKENS = new JwtTokens(newKey(), CLOCK);
  private static final String VALID =
      TOKENS.issue(ALICE, ACCESS, SERVICE, Duration.ofMinutes(5)).token();

  @FuzzTest
  void verify(byte[] input) {
    String token =
        input.length > 0 && input[0] == '!' ? edit(VALID, input) : new String(input, UTF_8);

    Optional<JwtTokens.Verified> verified = TOKENS.verify(token, SERVICE);

    if (token.equals(VALID)) {
      assertThat(verified).contains(new JwtTokens.Verified(ALICE, ACCESS));
    } else {
      assertThat(verified).as("accepted a token that is not the one issued: %s", token).isEmpty();
    }
  }

  /** {@code token} with the edits of {@code input} after its first byte. */
  private static String edit(String token, byte[] input) {
    StringBuilder sb = new StringBuilder(token);
    for (int i = 1; i + 2 < input.length && !sb.isEmpty(); i += 3) {
      int position = (((input[i] & 0xff) << 8) | (input[i + 1] & 0xff)) % sb.length();
      char c = (char) (input[i + 2] & 0xff);
      if (c == 0) {
        sb.deleteCharAt(position);
      } else {
        sb.setCharAt(position, c);
      }
    }
    return sb.toString();
  }

  private static ECKey newKey() {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID("fuzz").generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }
}
