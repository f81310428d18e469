/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.auth;

import com.github.benmanes.caffeine.cache.Cache;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Checks names and secrets against the tokens file and the htpasswd file, both followed as they
 * change ({@link ReloadingFile}). Successful bcrypt checks go into a shared cache keyed by a
 * SHA-256 of name and secret, which is emptied when either file changes. Thread-safe and immutable;
 * a configuration change makes a new one that keeps the files that stayed the same.
 */
final class Authenticator {

  private final @Nullable ReloadingFile<Map<String, String>> users;
  private final ReloadingFile<List<StoredToken>> tokens;
  private final Cache<String, Principal> verified;
  private final Clock clock;

  private Authenticator(
      @Nullable ReloadingFile<Map<String, String>> users,
      ReloadingFile<List<StoredToken>> tokens,
      Cache<String, Principal> verified,
      Clock clock) {
    this.users = users;
    this.tokens = tokens;
    this.verified = verified;
    this.clock = clock;
  }

  /**
   * Opens the files {@code settings} name, reusing those of {@code previous} that stay the same.
   *
   * @throws IllegalArgumentException when a file cannot be read
   */
  static Authenticator open(
      AuthSettings settings,
      Path dataDirectory,
      Clock clock,
      Cache<String, Principal> verified,
      @Nullable Authenticator previous) {
    Runnable forget = verified::invalidateAll;
    Path htpasswd = settings.htpasswd();
    ReloadingFile<Map<String, String>> users = previous == null ? null : previous.users;
    if (htpasswd == null) {
      users = null;
    } else if (users == null || !users.file().equals(htpasswd)) {
      users = file(htpasswd, "auth.htpasswd", Htpasswd::read, Map.of(), clock, forget);
    }
    Path tokensFile = settings.tokensFile(dataDirectory);
    ReloadingFile<List<StoredToken>> tokens =
        previous != null && previous.tokens.file().equals(tokensFile)
            ? previous.tokens
            : file(
                tokensFile,
                "auth.tokensFile",
                f -> new TokenStore(f).list(),
                List.of(),
                clock,
                forget);
    if (previous != null && previous.users != users) {
      forget.run();
    }
    return new Authenticator(users, tokens, verified, clock);
  }

  private static <T> ReloadingFile<T> file(
      Path path,
      String key,
      ReloadingFile.Loader<T> loader,
      T empty,
      Clock clock,
      Runnable onChange) {
    try {
      return new ReloadingFile<>(path, loader, empty, clock, onChange);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(key + ": cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * The principal {@code name} and {@code secret} sign in as: an active token, else an htpasswd
   * user. An unknown user costs a bcrypt check too, so it takes as long as a wrong password.
   */
  Optional<Principal> authenticate(String name, String secret) {
    Optional<StoredToken> token = TokenStore.match(tokens.get(), name, secret, clock.instant());
    if (token.isPresent()) {
      return Optional.of(new Principal(name, Principal.Kind.TOKEN));
    }
    ReloadingFile<Map<String, String>> file = users;
    if (file == null) {
      return Optional.empty();
    }
    Map<String, String> hashes = file.get();
    String key = cacheKey(name, secret);
    Principal cached = verified.getIfPresent(key);
    if (cached != null) {
      return Optional.of(cached);
    }
    String hash = hashes.get(name);
    boolean match = Htpasswd.verify(secret.toCharArray(), hash != null ? hash : Dummy.HASH);
    if (hash == null || !match) {
      return Optional.empty();
    }
    Principal user = new Principal(name, Principal.Kind.USER);
    verified.put(key, user);
    return Optional.of(user);
  }

  /** The active token named {@code name}. */
  Optional<StoredToken> activeToken(String name) {
    Instant now = clock.instant();
    return tokens.get().stream()
        .filter(t -> t.name().equals(name) && t.status(now) == StoredToken.Status.ACTIVE)
        .findFirst();
  }

  /** Whether {@code principal} still exists: the user is in htpasswd, the token is active. */
  boolean exists(Principal principal) {
    ReloadingFile<Map<String, String>> file = users;
    return switch (principal.kind()) {
      case ANONYMOUS -> true;
      case USER -> file != null && file.get().containsKey(principal.name());
      case TOKEN -> activeToken(principal.name()).isPresent();
    };
  }

  private static String cacheKey(String name, String secret) {
    String text = name.length() + ":" + name + ":" + secret;
    return HexFormat.of().formatHex(TokenStore.sha256(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** A hash checked for unknown users, so they take as long to refuse as wrong passwords. */
  private static final class Dummy {
    static final String HASH = Htpasswd.hash("not a password".toCharArray(), Htpasswd.DEFAULT_COST);
  }
}
