/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Issues and verifies the token flow's JWTs with Nimbus JOSE+JWT: ES256, {@code iss} and {@code
 * aud} the service, {@code sub} the principal's name ({@code ""} for anonymous), {@code kind} what
 * signed in ({@code user}, {@code token}, {@code anonymous}), {@code iat}, {@code nbf}, {@code
 * exp}, {@code jti}, and Docker's {@code access} claim, {@code
 * [{"type":"repository","name":…,"actions":["pull"]}]}. Thread-safe.
 */
final class JwtTokens {

  /**
   * How far the clocks of issuer and verifier may differ for {@code nbf}/{@code exp}: a few
   * seconds, for replicas sharing a signing key; one process issues and verifies with the same
   * clock.
   */
  static final Duration CLOCK_SKEW = Duration.ofSeconds(5);

  /**
   * A verified JWT.
   *
   * @param principal whom it was issued to
   * @param access what it grants
   */
  record Verified(Principal principal, List<Scope> access) {}

  /**
   * A token whose signature and claims were checked once: what it grants and when, for whom. Only
   * the time window and the service are checked again when it comes back.
   */
  private record Checked(Verified verified, String service, Instant notBefore, Instant expires) {}

  /**
   * Verified tokens by the SHA-256 of their exact text, so a client presenting the same JWT on
   * every request of a pull pays one ECDSA verification (about a third of a warm request's CPU time
   * on its own) instead of one per request. Only valid tokens go in; the signing key never changes
   * while the process runs.
   */
  private final Cache<String, Checked> checked =
      Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(Duration.ofMinutes(10)).build();

  private final ECKey key;
  private final ECDSASigner signer;
  private final ECDSAVerifier verifier;
  private final Clock clock;

  JwtTokens(ECKey key, Clock clock) {
    this.key = key;
    this.clock = clock;
    try {
      this.signer = new ECDSASigner(key);
      this.verifier = new ECDSAVerifier(key.toPublicJWK());
    } catch (JOSEException e) {
      throw new IllegalArgumentException("unusable token signing key: " + e.getMessage(), e);
    }
  }

  /** A JWT for {@code principal} granting {@code access}, valid for {@code lifetime}. */
  IssuedToken issue(Principal principal, List<Scope> access, String service, Duration lifetime) {
    Instant now = clock.instant();
    List<Map<String, Object>> claim = new ArrayList<>();
    for (Scope scope : access) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("type", scope.type());
      entry.put("name", scope.name());
      entry.put("actions", List.copyOf(scope.actions()));
      claim.add(entry);
    }
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(service)
            .audience(service)
            .subject(principal.name())
            .claim("kind", principal.kind().name().toLowerCase(Locale.ROOT))
            .issueTime(Date.from(now))
            .notBeforeTime(Date.from(now))
            .expirationTime(Date.from(now.plus(lifetime)))
            .jwtID(UUID.randomUUID().toString())
            .claim("access", claim)
            .build();
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256)
                .type(JOSEObjectType.JWT)
                .keyID(key.getKeyID())
                .build(),
            claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a JWT", e);
    }
    return new IssuedToken(jwt.serialize(), now, lifetime);
  }

  /**
   * The principal and access of {@code token}, if it is an ES256 JWT signed by this key for {@code
   * service} ({@code iss} and {@code aud}) that is valid now; empty for anything else (another
   * algorithm such as {@code none}, a bad signature, expired, not yet valid, malformed).
   */
  Optional<Verified> verify(String token, String service) {
    String id = sha256(token);
    Checked known = checked.getIfPresent(id);
    if (known != null) {
      Instant now = clock.instant();
      boolean valid =
          known.service().equals(service)
              && now.isBefore(known.expires().plus(CLOCK_SKEW))
              && !now.isBefore(known.notBefore().minus(CLOCK_SKEW));
      return valid ? Optional.of(known.verified()) : Optional.empty();
    }
    Optional<Checked> result = check(token, service);
    result.ifPresent(fresh -> checked.put(id, fresh));
    return result.map(Checked::verified);
  }

  private Optional<Checked> check(String token, String service) {
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      if (!canonical(jwt)
          || !JWSAlgorithm.ES256.equals(jwt.getHeader().getAlgorithm())
          || !jwt.verify(verifier)) {
        return Optional.empty();
      }
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      Instant now = clock.instant();
      Date expires = claims.getExpirationTime();
      Date notBefore = claims.getNotBeforeTime();
      if (expires == null
          || !now.isBefore(expires.toInstant().plus(CLOCK_SKEW))
          || (notBefore != null && now.isBefore(notBefore.toInstant().minus(CLOCK_SKEW)))
          || !service.equals(claims.getIssuer())
          || !claims.getAudience().equals(List.of(service))) {
        return Optional.empty();
      }
      return Optional.of(
          new Checked(
              new Verified(principal(claims), access(claims)),
              service,
              notBefore == null ? Instant.MIN : notBefore.toInstant(),
              expires.toInstant()));
    } catch (ParseException | JOSEException | IllegalArgumentException | ClassCastException e) {
      return Optional.empty();
    }
  }

  private static Principal principal(JWTClaimsSet claims) throws ParseException {
    String kind = claims.getStringClaim("kind");
    String subject = claims.getSubject();
    if (kind == null || subject == null) {
      throw new ParseException("no kind or sub", 0);
    }
    return new Principal(subject, Principal.Kind.valueOf(kind.toUpperCase(Locale.ROOT)));
  }

  private static List<Scope> access(JWTClaimsSet claims) throws ParseException {
    Object claim = claims.getClaim("access");
    if (claim == null) {
      return List.of();
    }
    if (!(claim instanceof List<?> entries)) {
      throw new ParseException("access is not a list", 0);
    }
    List<Scope> scopes = new ArrayList<>();
    for (Object entry : entries) {
      if (!(entry instanceof Map<?, ?> map)
          || !(map.get("type") instanceof String type)
          || !(map.get("name") instanceof String name)
          || !(map.get("actions") instanceof List<?> actions)) {
        throw new ParseException("malformed access entry", 0);
      }
      Set<String> names = new LinkedHashSet<>();
      for (Object action : actions) {
        names.add(String.valueOf(action));
      }
      scopes.add(new Scope(type, name, names));
    }
    return scopes;
  }

  /**
   * Whether each part of {@code jwt} is written the one way base64url writes its bytes. The last
   * character of a part carries unused bits, so several spellings decode to the same signature;
   * only the token as issued is accepted (the fuzzer found the other spellings).
   */
  private static boolean canonical(SignedJWT jwt) {
    for (Base64URL part : jwt.getParsedParts()) {
      if (!Base64URL.encode(part.decode()).toString().equals(part.toString())) {
        return false;
      }
    }
    return true;
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
