/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Issuing and verifying the token flow's JWTs. */
class JwtTokensTest {

  private static final Principal ALICE = new Principal("alice", Principal.Kind.USER);

  private final AuthFixture.MutableClock clock =
      new AuthFixture.MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
  private final ECKey key = generate();
  private final JwtTokens tokens = new JwtTokens(key, clock);

  private static ECKey generate() {
    try {
      return new ECKeyGenerator(Curve.P_256).keyIDFromThumbprint(true).generate();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private String issue() {
    return tokens.issue(ALICE, List.of(Scope.pull("up/app")), "svc", Duration.ofMinutes(5)).token();
  }

  @Test
  void verify_ownToken_givesPrincipalAndAccess() throws Exception {
    String token = issue();

    JwtTokens.Verified verified = tokens.verify(token, "svc").orElseThrow();

    assertThat(verified.principal()).isEqualTo(ALICE);
    assertThat(verified.access())
        .containsExactly(new Scope("repository", "up/app", Set.of("pull")));
    SignedJWT jwt = SignedJWT.parse(token);
    assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
    JWTClaimsSet claims = jwt.getJWTClaimsSet();
    assertThat(claims.getIssuer()).isEqualTo("svc");
    assertThat(claims.getAudience()).containsExactly("svc");
    assertThat(claims.getSubject()).isEqualTo("alice");
    assertThat(claims.getJWTID()).isNotBlank();
    assertThat(claims.getExpirationTime().toInstant())
        .isEqualTo(clock.instant().plus(Duration.ofMinutes(5)));
    assertThat(claims.toString())
        .contains(
            "\"access\":[{\"type\":\"repository\",\"name\":\"up/app\",\"actions\":[\"pull\"]}]");
  }

  @Test
  void verify_expired_orNotYetValid_isEmpty() {
    String token = issue();

    clock.advance(Duration.ofMinutes(5).plus(JwtTokens.CLOCK_SKEW));
    assertThat(tokens.verify(token, "svc")).isEmpty();

    clock.advance(Duration.ofHours(-1));
    assertThat(tokens.verify(token, "svc")).isEmpty();
  }

  @Test
  void verify_sameTokenAgain_isAnsweredFromTheCache_butStillExpiresAndKeepsItsAudience() {
    String token = issue();
    assertThat(tokens.verify(token, "svc")).isPresent();

    assertThat(tokens.verify(token, "svc")).isPresent();
    assertThat(tokens.verify(token, "other-service")).isEmpty();
    assertThat(tokens.verify(token + "x", "svc")).isEmpty();
    clock.advance(Duration.ofMinutes(5).plus(JwtTokens.CLOCK_SKEW));
    assertThat(tokens.verify(token, "svc")).isEmpty();
  }

  @Test
  void verify_signatureSpelledOtherwise_isEmpty() {
    String token = issue();
    // 64 signature bytes are 86 base64url characters; the last one carries 4 unused bits, so
    // changing them decodes to the same signature.
    char last = token.charAt(token.length() - 1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char sameBytes = alphabet.charAt(alphabet.indexOf(last) ^ 1);
    String respelled = token.substring(0, token.length() - 1) + sameBytes;

    assertThat(tokens.verify(respelled, "svc")).isEmpty();
    assertThat(tokens.verify(token, "svc")).isPresent();
  }

  @Test
  void verify_wrongAudience_isEmpty() {
    assertThat(tokens.verify(issue(), "other-service")).isEmpty();
  }

  @Test
  void verify_otherKey_isEmpty() throws Exception {
    JwtTokens other = new JwtTokens(generate(), clock);
    String foreign =
        other.issue(ALICE, List.of(Scope.pull("up/app")), "svc", Duration.ofMinutes(5)).token();

    assertThat(tokens.verify(foreign, "svc")).isEmpty();
  }

  @Test
  void verify_algNone_isEmpty() throws Exception {
    JWTClaimsSet claims = SignedJWT.parse(issue()).getJWTClaimsSet();
    String unsigned = new PlainJWT(claims).serialize();

    assertThat(tokens.verify(unsigned, "svc")).isEmpty();
    assertThat(tokens.verify(unsigned + "AAAA", "svc")).isEmpty();
  }

  @Test
  void verify_tamperedAccessClaim_isEmpty() {
    String[] parts = issue().split("\\.", -1);
    String payload =
        new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
            .replace("up/app", "up/secret");
    String tampered =
        parts[0]
            + "."
            + Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(payload.getBytes(StandardCharsets.UTF_8))
            + "."
            + parts[2];

    assertThat(tokens.verify(tampered, "svc")).isEmpty();
  }

  @Test
  void verify_otherAlgorithmSignedWithTheKey_isEmpty() throws Exception {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader(JWSAlgorithm.ES384), SignedJWT.parse(issue()).getJWTClaimsSet());
    try {
      jwt.sign(new ECDSASigner(key));
    } catch (Exception e) {
      return; // the key refuses to sign ES384: nothing to verify
    }
    assertThat(tokens.verify(jwt.serialize(), "svc")).isEmpty();
  }

  @Test
  void verify_garbage_isEmpty() {
    assertThat(tokens.verify("not.a.jwt", "svc")).isEmpty();
    assertThat(tokens.verify("", "svc")).isEmpty();
  }
}
