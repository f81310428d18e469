/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cacheproxy.core.OciErrorCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Authentication, scope-map decisions, reloads and configuration updates of access control. */
class AccessControlTest {

  private static final String ORIGIN = "http://proxy.test:5000";
  private static final Resource APP = new Resource.Repository("up/app", Action.PULL);
  private static final Resource SECRET = new Resource.Repository("up/secret", Action.PULL);

  @TempDir Path dir;

  private final AuthFixture.MutableClock clock =
      new AuthFixture.MutableClock(Instant.parse("2026-03-01T10:00:00Z"));

  private AccessControl create(AuthMode mode, List<String> anonymous) throws Exception {
    return AccessControl.create(
        AuthFixture.settings(dir, mode, anonymous, null), dir.resolve("data"), clock);
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void basic_scopeMapsDecide_perUserAndAnonymous() throws Exception {
    AccessControl access = create(AuthMode.BASIC, List.of("readers"));
    String alice = basic("alice", AuthFixture.ALICE_PASSWORD);

    assertThat(access.check(alice, APP, ORIGIN)).isInstanceOf(Verdict.Allowed.class);
    assertThat(access.check(alice, SECRET, ORIGIN))
        .isInstanceOfSatisfying(
            Verdict.Refused.class, r -> assertThat(r.code()).isEqualTo(OciErrorCode.DENIED));
    assertThat(access.check(null, APP, ORIGIN)).isInstanceOf(Verdict.Allowed.class);
    assertThat(access.check(null, SECRET, ORIGIN))
        .isInstanceOfSatisfying(
            Verdict.Refused.class,
            r -> assertThat(r.challenge()).isEqualTo(AccessControl.BASIC_CHALLENGE));
    assertThat(access.check(null, new Resource.Base(), ORIGIN)).isInstanceOf(Verdict.Refused.class);
    assertThat(access.check("Basic !!!", APP, ORIGIN)).isInstanceOf(Verdict.Refused.class);
  }

  @Test
  void admin_needsANameInAdmins() throws Exception {
    AccessControl access = create(AuthMode.BASIC, List.of());

    assertThat(access.check(basic("ops", AuthFixture.OPS_PASSWORD), new Resource.Admin(), ORIGIN))
        .isInstanceOf(Verdict.Allowed.class);
    assertThat(
            access.check(basic("alice", AuthFixture.ALICE_PASSWORD), new Resource.Admin(), ORIGIN))
        .isInstanceOfSatisfying(
            Verdict.Refused.class, r -> assertThat(r.code()).isEqualTo(OciErrorCode.DENIED));
  }

  @Test
  void token_challenge_namesRealmServiceAndScope() throws Exception {
    AccessControl access = create(AuthMode.TOKEN, List.of());

    Verdict verdict = access.check(null, APP, ORIGIN);
    Verdict forged = access.check(null, APP, "http://evil\"host");

    assertThat(((Verdict.Refused) verdict).challenge())
        .isEqualTo(
            "Bearer realm=\"http://proxy.test:5000/_cache-proxy/token\",service=\"test-service\","
                + "scope=\"repository:up/app:pull\"");
    assertThat(((Verdict.Refused) forged).challenge())
        .startsWith("Bearer realm=\"http://localhost/_cache-proxy/token\"");
  }

  @Test
  void token_issuesTheIntersection_andCatalogToEveryone() throws Exception {
    AccessControl access = create(AuthMode.TOKEN, List.of());
    Principal alice = new Principal("alice", Principal.Kind.USER);

    IssuedToken token =
        access.issueToken(
            alice,
            List.of("repository:up/app:pull,push repository:up/secret:pull", "registry:catalog:*"));
    String bearer = "Bearer " + token.token();

    assertThat(access.check(bearer, APP, ORIGIN)).isInstanceOf(Verdict.Allowed.class);
    assertThat(access.check(bearer, SECRET, ORIGIN)).isInstanceOf(Verdict.Refused.class);
    assertThat(access.check(bearer, new Resource.Catalog(), ORIGIN))
        .isInstanceOf(Verdict.Allowed.class);
    assertThat(Files.exists(dir.resolve("data/auth/token-signing-key.json"))).isTrue();
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("data/auth/token-signing-key.json"))))
        .isEqualTo("rw-------");
  }

  @Test
  void tokensFile_isReread_atMostOnceASecond() throws Exception {
    AccessControl access = create(AuthMode.BASIC, List.of());
    TokenStore store = new TokenStore(dir.resolve("data/auth/tokens.json"));
    TokenStore.NewToken ci = store.create("ci", List.of("readers"), null, clock.instant());
    String credentials = basic("ci", ci.secret());

    assertThat(access.check(credentials, APP, ORIGIN)).isInstanceOf(Verdict.Refused.class);
    clock.advance(ReloadingFile.CHECK_INTERVAL);
    assertThat(access.check(credentials, APP, ORIGIN)).isInstanceOf(Verdict.Allowed.class);

    store.revoke("ci");
    clock.advance(ReloadingFile.CHECK_INTERVAL);
    assertThat(access.check(credentials, APP, ORIGIN)).isInstanceOf(Verdict.Refused.class);
  }

  @Test
  void htpasswd_change_forgetsCachedPasswords() throws Exception {
    AccessControl access = create(AuthMode.BASIC, List.of());
    String old = basic("alice", AuthFixture.ALICE_PASSWORD);
    assertThat(access.authenticate("alice", AuthFixture.ALICE_PASSWORD)).isPresent();

    Htpasswd.addUser(dir.resolve("htpasswd"), "alice", "new-password".toCharArray(), 4);
    clock.advance(ReloadingFile.CHECK_INTERVAL);

    assertThat(access.check(old, APP, ORIGIN)).isInstanceOf(Verdict.Refused.class);
    assertThat(access.authenticate("alice", "new-password")).isPresent();
    assertThat(access.authenticate("nobody", "x")).isEmpty();
  }

  @Test
  void update_changesScopeMapsLive_butNotTheMode() throws Exception {
    AccessControl access = create(AuthMode.BASIC, List.of());
    AuthSettings settings = AuthFixture.settings(dir, AuthMode.BASIC, List.of(), null);
    assertThat(access.check(null, APP, ORIGIN)).isInstanceOf(Verdict.Refused.class);

    access.update(AuthFixture.withAnonymous(settings, List.of("readers")));

    assertThat(access.check(null, APP, ORIGIN)).isInstanceOf(Verdict.Allowed.class);
    assertThatThrownBy(
            () -> access.update(AuthFixture.settings(dir, AuthMode.TOKEN, List.of(), null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("restart");
  }

  @Test
  void create_unreadableSigningKey_isRefusedWithAClearMessage() throws Exception {
    Path key = dir.resolve("data/auth/token-signing-key.json");
    Files.createDirectories(key.getParent());
    Files.writeString(key, "{\"kty\":\"oct\"}");

    assertThatThrownBy(() -> create(AuthMode.TOKEN, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(key.toString())
        .hasMessageContaining("delete it");
  }

  @Test
  void anonymous_allowsEverything() {
    AccessControl access = AccessControl.anonymous();

    assertThat(access.check(null, SECRET, ORIGIN)).isInstanceOf(Verdict.Allowed.class);
    assertThat(access.check(null, new Resource.Admin(), ORIGIN))
        .isInstanceOf(Verdict.Allowed.class);
    assertThat(access.mode()).isEqualTo(AuthMode.ANONYMOUS);
  }

  @Test
  void cachedCheck_isFast_comparedToBcrypt() throws Exception {
    Path file = dir.resolve("costly");
    Htpasswd.addUser(file, "bob", "pw".toCharArray(), Htpasswd.DEFAULT_COST);
    AuthSettings base = AuthFixture.settings(dir, AuthMode.BASIC, List.of(), null);
    AuthSettings settings =
        new AuthSettings(
            AuthMode.BASIC,
            file,
            null,
            null,
            "s",
            null,
            Duration.ofMinutes(5),
            base.scopeMaps(),
            java.util.Map.of("bob", List.of("readers")),
            List.of(),
            List.of(),
            false);
    AccessControl access = AccessControl.create(settings, dir.resolve("data"), clock);
    String bob = basic("bob", "pw");

    long first = System.nanoTime();
    assertThat(access.check(bob, APP, ORIGIN)).isInstanceOf(Verdict.Allowed.class);
    long firstNanos = System.nanoTime() - first;
    long rest = System.nanoTime();
    for (int i = 0; i < 20; i++) {
      assertThat(access.check(bob, APP, ORIGIN)).isInstanceOf(Verdict.Allowed.class);
    }
    long restNanos = (System.nanoTime() - rest) / 20;

    System.out.printf(
        "bcrypt cost %d check: %.1f ms; cached check: %.1f µs%n",
        Htpasswd.DEFAULT_COST, firstNanos / 1e6, restNanos / 1e3);
    assertThat(restNanos).isLessThan(firstNanos / 10);
  }
}
