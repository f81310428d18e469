/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.auth;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The {@code auth:} section: how clients sign in and what each may pull.
 *
 * @param mode anonymous, basic or token
 * @param htpasswd the htpasswd file of users (bcrypt hashes), or null for none
 * @param tokensFile the file {@code cache-proxy tokens} manages, or null for {@code
 *     <dataDir>/auth/tokens.json}
 * @param signingKeyFile the private key that signs the JWTs of the token flow (created on first
 *     use), or null for {@code <dataDir>/auth/token-signing-key.json}
 * @param service the {@code service} of the token flow, also the JWTs' issuer and audience
 * @param realm the token endpoint clients are sent to, or null to derive it from each request's
 *     scheme and {@code Host} ({@code <scheme>://<host>/_cache-proxy/token})
 * @param tokenLifetime how long an issued JWT is valid
 * @param scopeMaps the scope maps by name, in the order written
 * @param users the scope maps of htpasswd users by user name; the key {@code *} applies to every
 *     htpasswd user not listed
 * @param anonymous the scope maps of clients that present no credentials (in basic and token mode)
 * @param admins the users and tokens allowed on the admin API, the status page and the {@code
 *     /_cache-proxy/} endpoints
 * @param protectMetrics whether {@code /metrics} on the admin listener needs an admin too
 */
public record AuthSettings(
    AuthMode mode,
    @Nullable Path htpasswd,
    @Nullable Path tokensFile,
    @Nullable Path signingKeyFile,
    String service,
    @Nullable URI realm,
    Duration tokenLifetime,
    Map<String, ScopeMap> scopeMaps,
    Map<String, List<String>> users,
    List<String> anonymous,
    List<String> admins,
    boolean protectMetrics) {

  /** The token flow's service name when the configuration sets none. */
  public static final String DEFAULT_SERVICE = "cache-proxy";

  /** How long a JWT is valid when the configuration sets nothing. */
  public static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofMinutes(5);

  /** The key of {@link #users()} that applies to every htpasswd user not listed by name. */
  public static final String EVERY_USER = "*";

  /** Copies the collections, keeping their order. */
  public AuthSettings {
    scopeMaps = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(scopeMaps));
    Map<String, List<String>> copied = new LinkedHashMap<>();
    users.forEach((user, maps) -> copied.put(user, List.copyOf(maps)));
    users = java.util.Collections.unmodifiableMap(copied);
    anonymous = List.copyOf(anonymous);
    admins = List.copyOf(admins);
  }

  /** No authentication: every client may pull everything (the default). */
  public static AuthSettings anonymousPull() {
    return new AuthSettings(
        AuthMode.ANONYMOUS,
        null,
        null,
        null,
        DEFAULT_SERVICE,
        null,
        DEFAULT_TOKEN_LIFETIME,
        Map.of(),
        Map.of(),
        List.of(),
        List.of(),
        false);
  }

  /** The tokens file: {@link #tokensFile()} or {@code <dataDirectory>/auth/tokens.json}. */
  public Path tokensFile(Path dataDirectory) {
    Path file = tokensFile;
    return file != null ? file : dataDirectory.resolve("auth").resolve("tokens.json");
  }

  /**
   * The JWT signing key file: {@link #signingKeyFile()} or {@code
   * <dataDirectory>/auth/token-signing-key.json}.
   */
  public Path signingKeyFile(Path dataDirectory) {
    Path file = signingKeyFile;
    return file != null ? file : dataDirectory.resolve("auth").resolve("token-signing-key.json");
  }
}
