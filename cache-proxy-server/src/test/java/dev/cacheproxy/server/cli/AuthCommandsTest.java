/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.cacheproxy.server.auth.Htpasswd;
import dev.cacheproxy.server.auth.StoredToken;
import dev.cacheproxy.server.auth.TokenStore;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cache-proxy tokens}, {@code cache-proxy users add} and admin credentials of the CLI. */
class AuthCommandsTest {

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return ServeCommand.commandLine(
            new ServeCommand(running -> {
              throw new AssertionError("the server must not start");
            }),
            new PrintWriter(out, true),
            new PrintWriter(err, true))
        .execute(args);
  }

  private int runWithStdin(String stdin, String... args) {
    InputStream saved = System.in;
    System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    try {
      return run(args);
    } finally {
      System.setIn(saved);
    }
  }

  private Path config() throws Exception {
    Path file = dir.resolve("proxy.yaml");
    Files.writeString(
        file,
        "storage:\n  dataDir: "
            + dir.resolve("data")
            + "\nauth:\n  mode: basic\n  htpasswd: "
            + dir.resolve("htpasswd")
            + "\n  scopeMaps:\n    readers: {\"hub/*\": [pull]}\n  users:\n    alice: [readers]\n");
    return file;
  }

  @Test
  void tokens_createListRevoke_printTheSecretOnlyOnce() throws Exception {
    Path config = config();

    int created =
        run(
            "tokens",
            "create",
            "ci",
            "--scope-map",
            "readers",
            "--expires",
            "30d",
            "--config",
            config.toString());
    String secret = out.toString().strip();
    out.getBuffer().setLength(0);
    int listed = run("tokens", "list", "--config", config.toString());
    String list = out.toString();
    int revoked = run("tokens", "revoke", "ci", "--config", config.toString());

    assertThat(created).isZero();
    assertThat(secret).startsWith(TokenStore.SECRET_PREFIX).doesNotContain("\n");
    assertThat(err.toString()).contains("docker login").doesNotContain(secret);
    assertThat(listed).isZero();
    assertThat(list)
        .contains("NAME", "SCOPE MAPS", "ci", "readers", "active")
        .doesNotContain(secret);
    assertThat(revoked).isZero();
    List<StoredToken> tokens = new TokenStore(dir.resolve("data/auth/tokens.json")).list();
    assertThat(tokens)
        .singleElement()
        .satisfies(t -> {
          assertThat(t.revoked()).isTrue();
          assertThat(t.expires()).isNotNull();
        });
  }

  @Test
  void tokens_unknownScopeMap_orBadExpiry_isBadUsage() throws Exception {
    Path config = config();

    assertThat(run("tokens", "create", "ci", "--scope-map", "nope", "--config", config.toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("scope map 'nope' is not defined", "readers");
    assertThat(
            run(
                "tokens",
                "create",
                "ci",
                "--scope-map",
                "readers",
                "--expires",
                "soon",
                "--config",
                config.toString()))
        .isEqualTo(2);
    assertThat(run("tokens", "revoke", "nobody", "--data-dir", dir.toString())).isEqualTo(1);
  }

  @Test
  void usersAdd_writesABcryptLine_fromStdin() throws Exception {
    Path config = config();

    int code =
        runWithStdin(
            "s3cret\n", "users", "add", "alice", "--config", config.toString(), "--cost", "4");

    assertThat(code).isZero();
    assertThat(out.toString()).contains("added user alice");
    String hash = Htpasswd.read(dir.resolve("htpasswd")).get("alice");
    assertThat(hash).startsWith("$2y$04$");
    assertThat(
            runWithStdin(
                "other\n",
                "users",
                "add",
                "alice",
                "--htpasswd",
                dir.resolve("htpasswd").toString(),
                "--password-stdin",
                "--cost",
                "4"))
        .isZero();
    assertThat(out.toString()).contains("changed the password of alice");
  }

  @Test
  void usersAdd_noFile_orEmptyPassword_isBadUsage() throws Exception {
    assertThat(runWithStdin("pw\n", "users", "add", "alice")).isEqualTo(2);
    assertThat(err.toString()).contains("--htpasswd FILE");
    assertThat(
            runWithStdin("\n", "users", "add", "alice", "--htpasswd", dir.resolve("h").toString()))
        .isEqualTo(2);
    assertThat(Files.exists(dir.resolve("h"))).isFalse();
  }

  @Test
  void purge_withUser_sendsBasicCredentials() throws Exception {
    List<String> authorizations = new CopyOnWriteArrayList<>();
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/admin/",
        exchange -> {
          String header = exchange.getRequestHeaders().getFirst("Authorization");
          authorizations.add(header == null ? "-" : header);
          byte[] body =
              "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}"
                  .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(401, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort();
      int withUser =
          runWithStdin(
              "pw\n",
              "purge",
              "hub/library/nginx",
              "--admin",
              url,
              "--user",
              "ops",
              "--password-stdin");
      int without = run("purge", "hub/library/nginx", "--admin", url);

      assertThat(withUser).isEqualTo(1);
      assertThat(without).isEqualTo(1);
      assertThat(authorizations)
          .containsExactly(
              "Basic "
                  + Base64.getEncoder().encodeToString("ops:pw".getBytes(StandardCharsets.UTF_8)),
              "-");
      assertThat(err.toString()).contains("--user NAME");
    } finally {
      server.stop(0);
    }
  }
}
