/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.cacheproxy.core.OciErrorCode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Who may do what on the proxy's listeners: authenticates credentials (tokens of the tokens file,
 * htpasswd users, the token flow's JWTs) and decides on each request by the principal's scope maps,
 * as configured under {@code auth:}. Create one with {@link #create} (or {@link #anonymous()}) and
 * hand it configuration reloads through {@link #update}.
 *
 * <p>Decisions never depend on the cache or the upstream, so a refused request reveals nothing
 * about which repositories or tags exist: its status and body depend only on the credentials and
 * the repository name the client sent.
 *
 * <p>Threading: thread-safe. The settings are one volatile snapshot; the htpasswd and tokens files
 * are re-read when they change (looked at at most once a second, on the calling thread). Checking a
 * bcrypt hash takes tens of milliseconds, so call {@link #check} and {@link #authenticate} on a
 * dispatched (virtual) thread, never on an IO thread. Successful bcrypt checks are cached for
 * {@link #VERIFIED_FOR}, keyed by a SHA-256 of name and secret, and forgotten when a file changes.
 */
public final class AccessControl {

  /** How long a successful check of an htpasswd password is remembered. */
  public static final Duration VERIFIED_FOR = Duration.ofMinutes(1);

  /** The path of the token endpoint on the registry listener. */
  public static final String TOKEN_PATH = "/_cache-proxy/token";

  /** The {@code WWW-Authenticate} value of basic mode and of the admin endpoints. */
  public static final String BASIC_CHALLENGE = "Basic realm=\"cache-proxy\"";

  private static final String INSUFFICIENT = "insufficient_scope";

  private record State(AuthSettings settings, @Nullable Authenticator authenticator) {}

  private final AuthMode mode;
  private final Path dataDirectory;
  private final Clock clock;
  private final @Nullable Path keyFile;
  private final @Nullable JwtTokens jwts;
  private final Cache<String, Principal> verified;
  private volatile State state;

  private AccessControl(AuthSettings settings, Path dataDirectory, Clock clock) {
    this.mode = settings.mode();
    this.dataDirectory = dataDirectory;
    this.clock = clock;
    this.verified =
        Caffeine.newBuilder()
            .expireAfterWrite(VERIFIED_FOR)
            .maximumSize(10_000)
            .ticker(() -> nanos(clock.instant()))
            .build();
    if (mode == AuthMode.TOKEN) {
      Path file = settings.signingKeyFile(dataDirectory);
      this.keyFile = file;
      this.jwts = new JwtTokens(SigningKey.loadOrCreate(file), clock);
    } else {
      this.keyFile = null;
      this.jwts = null;
    }
    this.state = open(settings, null);
  }

  /** Access control that lets every client do everything: {@code auth.mode: anonymous}. */
  public static AccessControl anonymous() {
    return new AccessControl(AuthSettings.anonymousPull(), Path.of("."), Clock.systemUTC());
  }

  /**
   * Access control as {@code settings} configure it: loads the htpasswd and tokens files and, in
   * token mode, the signing key (created if missing).
   *
   * @param dataDirectory resolves the default tokens and signing key files
   * @throws IllegalArgumentException when a file cannot be read or the key cannot be created; the
   *     message names the file and what to do
   */
  public static AccessControl create(AuthSettings settings, Path dataDirectory, Clock clock) {
    return new AccessControl(settings, dataDirectory, clock);
  }

  /**
   * Applies reloaded settings: scope maps, users, anonymous, admins, realm, service, lifetime and
   * the file names take effect at once.
   *
   * @throws IllegalArgumentException when the mode or the signing key file changed, which needs a
   *     restart, or a newly named file cannot be read; the settings in force stay
   */
  public void update(AuthSettings settings) {
    if (settings.mode() != mode) {
      throw new IllegalArgumentException(
          "auth.mode changed from "
              + mode.configName()
              + " to "
              + settings.mode().configName()
              + ": restart the server to apply it");
    }
    if (mode == AuthMode.TOKEN && !settings.signingKeyFile(dataDirectory).equals(keyFile)) {
      throw new IllegalArgumentException("auth.signingKey changed: restart the server to apply it");
    }
    synchronized (this) {
      state = open(settings, state);
    }
  }

  private State open(AuthSettings settings, @Nullable State previous) {
    if (settings.mode() == AuthMode.ANONYMOUS) {
      return new State(settings, null);
    }
    return new State(
        settings,
        Authenticator.open(
            settings,
            dataDirectory,
            clock,
            verified,
            previous == null ? null : previous.authenticator()));
  }

  /** How clients sign in. */
  public AuthMode mode() {
    return mode;
  }

  /** The token flow's service name, the JWTs' issuer and audience. */
  public String service() {
    return state.settings().service();
  }

  /** Whether {@code /metrics} of the admin listener needs an admin. */
  public boolean protectsMetrics() {
    return mode != AuthMode.ANONYMOUS && state.settings().protectMetrics();
  }

  /**
   * Decides on a request.
   *
   * @param authorization the request's {@code Authorization} header, or null
   * @param resource what it asks for
   * @param origin {@code <scheme>://<host>} of the request, for the default realm
   */
  public Verdict check(@Nullable String authorization, Resource resource, String origin) {
    State s = state;
    Authenticator users = s.authenticator();
    if (users == null) {
      return new Verdict.Allowed(Principal.anonymous());
    }
    Request request = new Request(s, resource, origin);
    return switch (Credentials.parse(authorization)) {
      case Credentials.None none -> decide(request, Principal.anonymous(), null);
      case Credentials.Basic basic -> basic(request, users, basic);
      case Credentials.Bearer bearer -> bearer(request, users, bearer);
      case Credentials.Malformed malformed ->
          request.unauthorized(Principal.anonymous(), "malformed Authorization header", null);
    };
  }

  private Verdict basic(Request request, Authenticator users, Credentials.Basic basic) {
    Optional<Principal> signedIn = users.authenticate(basic.name(), basic.secret());
    return signedIn.isEmpty()
        ? request.unauthorized(Principal.anonymous(), "invalid username or password", null)
        : decide(request, signedIn.get(), null);
  }

  private Verdict bearer(Request request, Authenticator users, Credentials.Bearer bearer) {
    JwtTokens tokens = jwts;
    Optional<JwtTokens.Verified> jwt =
        tokens == null
            ? Optional.empty()
            : tokens.verify(bearer.token(), request.state().settings().service());
    if (jwt.isEmpty() || !users.exists(jwt.get().principal())) {
      return request.unauthorized(
          Principal.anonymous(), "invalid or expired token", "invalid_token");
    }
    return decide(request, jwt.get().principal(), jwt.get().access());
  }

  /** Decides for a principal; {@code access} is what its JWT grants, null without one. */
  private Verdict decide(Request request, Principal principal, @Nullable List<Scope> access) {
    boolean anonymous = principal.isAnonymous();
    AuthSettings settings = request.state().settings();
    return switch (request.resource()) {
      case Resource.Base base ->
          anonymous && access == null
              ? request.unauthorized(principal, "authentication required", null)
              : new Verdict.Allowed(principal);
      case Resource.Admin admin -> {
        if (anonymous) {
          yield request.unauthorized(principal, "authentication required", null);
        }
        yield settings.admins().contains(principal.name())
            ? new Verdict.Allowed(principal)
            : denied(principal, principal.name() + " is not an admin (auth.admins)");
      }
      case Resource.Catalog catalog -> {
        if (access != null) {
          yield access.stream().anyMatch(Scope::isCatalog)
              ? new Verdict.Allowed(principal)
              : request.unauthorized(
                  principal, "the token does not grant the catalog", INSUFFICIENT);
        }
        boolean refused = anonymous && (mode == AuthMode.TOKEN || settings.anonymous().isEmpty());
        yield refused
            ? request.unauthorized(principal, "authentication required", null)
            : new Verdict.Allowed(principal);
      }
      case Resource.Repository repository -> repository(request, principal, access, repository);
    };
  }

  private Verdict repository(
      Request request, Principal principal, @Nullable List<Scope> access, Resource.Repository r) {
    String what = r.action().scopeName() + " " + r.name();
    boolean may = allows(request.state(), principal, r.name(), r.action());
    if (access != null && may) {
      return access.stream().anyMatch(scope -> scope.grants(r.name(), r.action()))
          ? new Verdict.Allowed(principal)
          : request.unauthorized(principal, "the token does not grant " + what, INSUFFICIENT);
    }
    boolean anonymous = principal.isAnonymous();
    if (may && !(anonymous && mode == AuthMode.TOKEN)) {
      return new Verdict.Allowed(principal);
    }
    return anonymous
        ? request.unauthorized(principal, "authentication required to " + what, null)
        : denied(
            principal,
            "requested access to "
                + r.name()
                + " is denied: "
                + principal.name()
                + " may not "
                + what);
  }

  private static Verdict denied(Principal principal, String message) {
    return new Verdict.Refused(principal, OciErrorCode.DENIED, message, null);
  }

  /** A request being decided on, which knows how to challenge it. */
  private record Request(State state, Resource resource, String origin) {

    Verdict unauthorized(Principal principal, String message, @Nullable String error) {
      return new Verdict.Refused(principal, OciErrorCode.UNAUTHORIZED, message, challenge(error));
    }

    private String challenge(@Nullable String error) {
      AuthSettings settings = state.settings();
      if (settings.mode() == AuthMode.BASIC || resource instanceof Resource.Admin) {
        return BASIC_CHALLENGE;
      }
      StringBuilder value =
          new StringBuilder("Bearer realm=\"")
              .append(realm())
              .append("\",service=\"")
              .append(settings.service())
              .append('"');
      String scope =
          switch (resource) {
            case Resource.Repository r -> Scope.pull(r.name()).text();
            case Resource.Catalog c -> Scope.CATALOG_SCOPE.text();
            default -> null;
          };
      if (scope != null) {
        value.append(",scope=\"").append(scope).append('"');
      }
      if (error != null) {
        value.append(",error=\"").append(error).append('"');
      }
      return value.toString();
    }

    /** The configured realm, else the token endpoint at the request's origin if it is sane. */
    private String realm() {
      URI realm = state.settings().realm();
      if (realm != null) {
        return realm.toString();
      }
      boolean sane =
          origin.matches("https?://([A-Za-z0-9.\\-]+|\\[[0-9A-Fa-f:.]+\\])(:[0-9]{1,5})?");
      return (sane ? origin : "http://localhost") + TOKEN_PATH;
    }
  }

  /**
   * The principal {@code name} and {@code secret} sign in as: an active token of the tokens file,
   * else an htpasswd user; empty when neither matches or the mode is anonymous. May take a bcrypt
   * check's time.
   */
  public Optional<Principal> authenticate(String name, String secret) {
    Authenticator users = state.authenticator();
    return users == null ? Optional.empty() : users.authenticate(name, secret);
  }

  /**
   * The principal of a token request's {@code Authorization} header: anonymous without one, the
   * signed-in user or token for valid Basic credentials, empty for anything else.
   */
  public Optional<Principal> signIn(@Nullable String authorization) {
    return switch (Credentials.parse(authorization)) {
      case Credentials.None none -> Optional.of(Principal.anonymous());
      case Credentials.Basic basic -> authenticate(basic.name(), basic.secret());
      case Credentials.Bearer bearer -> Optional.empty();
      case Credentials.Malformed malformed -> Optional.empty();
    };
  }

  /** Whether {@code principal} may do {@code action} on {@code repository} by its scope maps. */
  public boolean allows(Principal principal, String repository, Action action) {
    return mode == AuthMode.ANONYMOUS || allows(state, principal, repository, action);
  }

  private static boolean allows(State s, Principal principal, String repository, Action action) {
    Map<String, ScopeMap> maps = s.settings().scopeMaps();
    for (String name : scopeMaps(s, principal)) {
      ScopeMap map = maps.get(name);
      if (map != null && map.allows(repository, action)) {
        return true;
      }
    }
    return false;
  }

  private static List<String> scopeMaps(State s, Principal principal) {
    AuthSettings settings = s.settings();
    Authenticator users = s.authenticator();
    return switch (principal.kind()) {
      case ANONYMOUS -> settings.anonymous();
      case USER -> {
        List<String> maps = settings.users().get(principal.name());
        yield maps != null
            ? maps
            : settings.users().getOrDefault(AuthSettings.EVERY_USER, List.of());
      }
      case TOKEN ->
          users == null
              ? List.of()
              : users.activeToken(principal.name()).map(StoredToken::scopeMaps).orElse(List.of());
    };
  }

  /**
   * A JWT for {@code principal} granting what its scope maps allow of the requested scopes
   * (Docker's semantics: the intersection, never an error); {@code registry:catalog:*} is granted
   * to every principal, since the catalog is filtered per principal.
   *
   * @param scopes the values of the token request's scope parameters
   * @throws IllegalStateException when the mode is not token
   */
  public IssuedToken issueToken(Principal principal, Collection<String> scopes) {
    JwtTokens tokens = jwts;
    if (tokens == null) {
      throw new IllegalStateException("the token endpoint is only served in token mode");
    }
    State s = state;
    List<Scope> granted = new ArrayList<>();
    for (Scope scope : Scope.parseAll(scopes)) {
      if (scope.isCatalog()) {
        granted.add(Scope.CATALOG_SCOPE);
      } else if ((scope.actions().contains(Action.PULL.scopeName())
              || scope.actions().contains("*"))
          && allows(s, principal, scope.name(), Action.PULL)) {
        granted.add(Scope.pull(scope.name()));
      }
    }
    return tokens.issue(principal, granted, s.settings().service(), s.settings().tokenLifetime());
  }

  private static long nanos(Instant instant) {
    return TimeUnit.SECONDS.toNanos(instant.getEpochSecond()) + instant.getNano();
  }
}
