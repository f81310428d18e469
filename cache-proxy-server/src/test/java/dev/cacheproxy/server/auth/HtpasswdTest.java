/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading, writing and checking htpasswd files. */
class HtpasswdTest {

  @TempDir Path dir;

  @Test
  void parse_acceptsBcryptVersions_ignoresOtherHashesAndComments() {
    String y = BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(4, "pw-y".toCharArray());
    String a = BCrypt.with(BCrypt.Version.VERSION_2A).hashToString(4, "pw-a".toCharArray());
    String b = BCrypt.with(BCrypt.Version.VERSION_2B).hashToString(4, "pw-b".toCharArray());

    Map<String, String> users =
        Htpasswd.parse(
            List.of(
                "# comment",
                "",
                "y:" + y,
                "a:" + a,
                "b:" + b,
                "md5:$apr1$abcdefgh$0123456789abcdefghijkl",
                "sha:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=",
                "plain:secret",
                "nocolon"),
            "test");

    assertThat(users).containsOnlyKeys("y", "a", "b");
    assertThat(Htpasswd.verify("pw-y".toCharArray(), users.get("y"))).isTrue();
    assertThat(Htpasswd.verify("pw-a".toCharArray(), users.get("a"))).isTrue();
    assertThat(Htpasswd.verify("pw-b".toCharArray(), users.get("b"))).isTrue();
    assertThat(Htpasswd.verify("wrong".toCharArray(), users.get("y"))).isFalse();
    assertThat(Htpasswd.verify("x".toCharArray(), "not a hash")).isFalse();
  }

  @Test
  void addUser_createsAnOwnerOnlyFile_andReplacesAnExistingUser() throws Exception {
    Path file = dir.resolve("sub/htpasswd");

    assertThat(Htpasswd.addUser(file, "alice", "one".toCharArray(), 4)).isFalse();
    assertThat(Htpasswd.addUser(file, "bob", "two".toCharArray(), 4)).isFalse();
    assertThat(Htpasswd.addUser(file, "alice", "three".toCharArray(), 4)).isTrue();

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).startsWith("alice:$2y$04$");
    Map<String, String> users = Htpasswd.read(file);
    assertThat(Htpasswd.verify("three".toCharArray(), users.get("alice"))).isTrue();
    assertThat(Htpasswd.verify("two".toCharArray(), users.get("bob"))).isTrue();
  }

  @Test
  void checkName_refusesColonsAndSpaces() {
    assertThatThrownBy(() -> Htpasswd.checkName("a:b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Htpasswd.checkName("a b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Htpasswd.checkName("")).isInstanceOf(IllegalArgumentException.class);
    Htpasswd.checkName("ci.bot-1");
  }

  @Test
  void read_missingFile_isEmpty() throws Exception {
    assertThat(Htpasswd.read(dir.resolve("none"))).isEmpty();
  }
}
