/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.UpstreamException;
import dev.cacheproxy.core.spi.Credentials;
import dev.cacheproxy.rules.Registry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;

/**
 * Decides the {@code Authorization} header of registry calls: remembers per registry which scheme
 * its last challenge asked for, so later calls authenticate up front instead of paying a 401 round
 * trip, and caches bearer tokens per (registry, scope, user name or anonymous) until shortly before
 * they expire. A token fetched up front is for {@code repository:<name>:pull}; after a challenge,
 * for the scope the challenge names.
 *
 * <p>Concurrency: the scheme map and the token cache are concurrent. Each token is fetched once
 * however many calls want it at the same time: the first caller installs an incomplete future in
 * the cache and fetches outside any lock; the others wait on that future. A failed fetch is removed
 * from the cache, so the next call tries again.
 */
final class Authenticator {

  /** The scheme a registry's challenge asked for. */
  private sealed interface Scheme permits BearerScheme, BasicScheme {}

  private record BearerScheme(URI realm, @Nullable String service) implements Scheme {}

  private record BasicScheme() implements Scheme {}

  /**
   * What a cached token is for: the endpoint's origin (a registry's failover endpoints may have
   * their own token services), the scope and the user ({@code null} for anonymous tokens).
   */
  private record TokenKey(String origin, String scope, @Nullable String username) {}

  private static final int MAX_TOKENS = 10_000;

  private final TokenFetcher fetcher;
  private final ConcurrentMap<Registry, Scheme> schemes = new ConcurrentHashMap<>();
  private final AsyncCache<TokenKey, BearerToken> tokens;

  Authenticator(TokenFetcher fetcher, Ticker ticker) {
    this.fetcher = fetcher;
    this.tokens =
        Caffeine.newBuilder()
            .maximumSize(MAX_TOKENS)
            .ticker(ticker)
            .executor(Runnable::run)
            .expireAfter(Expiry.writing((TokenKey key, BearerToken token) -> token.cacheFor()))
            .buildAsync();
  }

  /**
   * The header to send before any challenge: a (cached or fetched) bearer token or Basic
   * credentials when the registry asked for them before, else null.
   */
  @Nullable String upFront(RegistryRequest request, @Nullable Credentials credentials) {
    Scheme scheme = schemes.get(request.registry());
    if (scheme instanceof BearerScheme bearer) {
      String scope = defaultScope(request);
      return "Bearer " + token(request, bearer, scope, credentials).value();
    }
    if (scheme instanceof BasicScheme && credentials != null) {
      return basic(credentials);
    }
    return null;
  }

  /**
   * The header to retry with after a 401 carrying {@code challenges}; remembers the scheme.
   *
   * @param rejected the header the 401 answered, or null
   * @throws UpstreamException DENIED when no challenge can be answered
   */
  String afterChallenge(
      RegistryRequest request,
      List<AuthChallenge> challenges,
      @Nullable Credentials credentials,
      @Nullable String rejected) {
    for (AuthChallenge c : challenges) {
      URI realm = c.scheme().equals("bearer") ? realm(c.param("realm")) : null;
      if (realm != null) {
        BearerScheme bearer = new BearerScheme(realm, c.param("service"));
        schemes.put(request.registry(), bearer);
        String scope = c.param("scope");
        if (scope == null || scope.isBlank()) {
          scope = defaultScope(request);
        }
        if (rejected != null && rejected.startsWith("Bearer ")) {
          forget(key(request, scope, credentials), rejected.substring("Bearer ".length()));
        }
        return "Bearer " + token(request, bearer, scope, credentials).value();
      }
    }
    for (AuthChallenge c : challenges) {
      if (c.scheme().equals("basic")) {
        schemes.put(request.registry(), new BasicScheme());
        if (credentials == null) {
          throw denied(
              request,
              " asks for a user name and password (HTTP Basic); give the rule credentials");
        }
        String header = basic(credentials);
        if (header.equals(rejected)) {
          throw denied(request, " refused the rule's credentials; check them");
        }
        return header;
      }
    }
    throw denied(
        request,
        " answered 401 without a Bearer or Basic challenge the proxy can answer; check the"
            + " rule's credentials");
  }

  /** The value of an HTTP Basic {@code Authorization} header. */
  static String basic(Credentials credentials) {
    String pair = credentials.username() + ":" + credentials.password();
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  // shared == mine asks whether this call's future won the race, which is an identity question.
  @SuppressWarnings("ReferenceEquality")
  private BearerToken token(
      RegistryRequest request, BearerScheme scheme, String scope, @Nullable Credentials creds) {
    CompletableFuture<BearerToken> mine = new CompletableFuture<>();
    CompletableFuture<BearerToken> shared =
        tokens.get(key(request, scope, creds), (k, executor) -> mine);
    if (shared == mine) {
      try {
        mine.complete(fetcher.fetch(request, scheme.realm(), scheme.service(), scope, creds));
      } catch (RuntimeException e) {
        mine.completeExceptionally(e);
      }
    }
    try {
      return shared.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  /** Drops the cached token for {@code key} if it is the one the registry just rejected. */
  private void forget(TokenKey key, String rejectedToken) {
    tokens
        .asMap()
        .computeIfPresent(
            key,
            (k, f) ->
                f.isDone()
                        && !f.isCompletedExceptionally()
                        && rejectedToken.equals(f.join().value())
                    ? null
                    : f);
  }

  private static TokenKey key(RegistryRequest request, String scope, @Nullable Credentials c) {
    return new TokenKey(
        Responses.origin(request.registry().endpoint()), scope, c == null ? null : c.username());
  }

  private static String defaultScope(RegistryRequest request) {
    return "repository:" + request.repository().value() + ":pull";
  }

  private static @Nullable URI realm(@Nullable String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      URI uri = new URI(value.trim());
      boolean http =
          "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
      return http && uri.getHost() != null ? uri : null;
    } catch (java.net.URISyntaxException e) {
      return null;
    }
  }

  private static UpstreamException denied(RegistryRequest request, String why) {
    return new UpstreamException(
        OciErrorCode.DENIED,
        request.subject() + ": " + request.registry().host() + why,
        401,
        null,
        null);
  }
}
