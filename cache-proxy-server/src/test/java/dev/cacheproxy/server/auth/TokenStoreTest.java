/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Creating, listing, revoking and matching tokens of the tokens file. */
class TokenStoreTest {

  private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

  @TempDir Path dir;

  @Test
  void create_storesOnlyTheHash_inAnOwnerOnlyFile() throws Exception {
    TokenStore store = new TokenStore(dir.resolve("auth/tokens.json"));

    TokenStore.NewToken created = store.create("ci", List.of("readers"), null, NOW);

    assertThat(created.secret()).startsWith("cpt_").hasSize(4 + 43);
    String file = Files.readString(store.file());
    assertThat(file).doesNotContain(created.secret()).contains(TokenStore.hash(created.secret()));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file())))
        .isEqualTo("rw-------");
    assertThat(store.list())
        .containsExactly(
            new StoredToken(
                "ci", TokenStore.hash(created.secret()), List.of("readers"), NOW, null, false));
  }

  @Test
  void match_needsNameAndSecret_andAnActiveToken() throws Exception {
    TokenStore store = new TokenStore(dir.resolve("tokens.json"));
    TokenStore.NewToken ci =
        store.create("ci", List.of("readers"), NOW.plus(Duration.ofDays(1)), NOW);
    TokenStore.NewToken other = store.create("other", List.of("readers"), null, NOW);

    assertThat(TokenStore.match(store.list(), "ci", ci.secret(), NOW)).isPresent();
    assertThat(TokenStore.match(store.list(), "ci", other.secret(), NOW)).isEmpty();
    assertThat(TokenStore.match(store.list(), "ci", ci.secret(), NOW.plus(Duration.ofDays(1))))
        .isEmpty();
    assertThat(store.list().getFirst().status(NOW.plus(Duration.ofDays(2))))
        .isEqualTo(StoredToken.Status.EXPIRED);

    assertThat(store.revoke("other")).isTrue();
    assertThat(store.revoke("nobody")).isFalse();
    assertThat(TokenStore.match(store.list(), "other", other.secret(), NOW)).isEmpty();
    assertThat(store.list().get(1).status(NOW)).isEqualTo(StoredToken.Status.REVOKED);
  }

  @Test
  void create_activeNameTaken_isRefused_butARevokedOneIsReplaced() throws Exception {
    TokenStore store = new TokenStore(dir.resolve("tokens.json"));
    store.create("ci", List.of("readers"), null, NOW);

    assertThatThrownBy(() -> store.create("ci", List.of("readers"), null, NOW))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("revoke it first");
    store.revoke("ci");
    TokenStore.NewToken again = store.create("ci", List.of("everything"), null, NOW);

    assertThat(store.list()).hasSize(1);
    assertThat(TokenStore.match(store.list(), "ci", again.secret(), NOW)).isPresent();
  }

  @Test
  void create_badNameOrNoScopeMap_isRefused() {
    TokenStore store = new TokenStore(dir.resolve("tokens.json"));

    assertThatThrownBy(() -> store.create("a b", List.of("x"), null, NOW))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.create("ci", List.of(), null, NOW))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void list_notATokensFile_isRefused() throws Exception {
    Path file = dir.resolve("tokens.json");
    Files.writeString(file, "{\"other\":1}");

    assertThatThrownBy(() -> new TokenStore(file).list())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a tokens file");
  }
}
