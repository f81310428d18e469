/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.auth;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Settings, users and tokens for auth tests: scope map {@code readers} grants pull on {@code
 * up/app}, {@code everything} on {@code *}; user {@code alice} (password {@code wonderland}) has
 * {@code readers}, {@code ops} (password {@code secret-ops}) has {@code everything} and is the
 * admin; the htpasswd hashes use cost 4 to keep tests fast.
 */
public final class AuthFixture {

  /** Alice's password. */
  public static final String ALICE_PASSWORD = "wonderland";

  /** The admin's password. */
  public static final String OPS_PASSWORD = "secret-ops";

  private AuthFixture() {}

  /** Writes the htpasswd file {@code dir/htpasswd} and returns settings for {@code mode}. */
  public static AuthSettings settings(
      Path dir, AuthMode mode, List<String> anonymous, @Nullable URI realm) throws IOException {
    Path htpasswd = dir.resolve("htpasswd");
    Htpasswd.addUser(htpasswd, "alice", ALICE_PASSWORD.toCharArray(), 4);
    Htpasswd.addUser(htpasswd, "ops", OPS_PASSWORD.toCharArray(), 4);
    return new AuthSettings(
        mode,
        htpasswd,
        null,
        null,
        "test-service",
        realm,
        Duration.ofMinutes(5),
        Map.of(
            "readers", map("readers", "up/app"),
            "everything", map("everything", "*")),
        Map.of("alice", List.of("readers"), "ops", List.of("everything")),
        anonymous,
        List.of("ops", "ci"),
        false);
  }

  /** A scope map granting pull on {@code pattern}. */
  public static ScopeMap map(String name, String pattern) {
    return new ScopeMap(
        name, List.of(new ScopeMap.Grant(new RepositoryPattern(pattern), EnumSet.of(Action.PULL))));
  }

  /** The settings with other anonymous scope maps. */
  public static AuthSettings withAnonymous(AuthSettings s, List<String> anonymous) {
    return new AuthSettings(
        s.mode(),
        s.htpasswd(),
        s.tokensFile(),
        s.signingKeyFile(),
        s.service(),
        s.realm(),
        s.tokenLifetime(),
        s.scopeMaps(),
        s.users(),
        anonymous,
        s.admins(),
        s.protectMetrics());
  }

  /** A clock that stands still until a test moves it. Thread-safe. */
  public static final class MutableClock extends Clock {
    private volatile Instant now;

    /** A clock at {@code now}. */
    public MutableClock(Instant now) {
      this.now = now;
    }

    /** Moves the clock forward by {@code d}. */
    public void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
