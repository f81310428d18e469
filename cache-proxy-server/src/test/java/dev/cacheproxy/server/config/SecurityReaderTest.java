/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cacheproxy.server.auth.Action;
import dev.cacheproxy.server.auth.AuthMode;
import dev.cacheproxy.server.auth.AuthSettings;
import dev.cacheproxy.server.transport.ListenerSettings;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code auth:} and {@code tls:} sections and the listeners' {@code allow} and limits. */
class SecurityReaderTest {

  private static SecuritySettings read(String yaml) {
    return ProxyConfig.parse(yaml).security();
  }

  private static InetAddress ip(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void read_nothing_isAnonymousPlainHttpForEveryone() {
    SecuritySettings security = read("server:\n  port: 5000\n");

    assertThat(security.auth().mode()).isEqualTo(AuthMode.ANONYMOUS);
    assertThat(security.tls()).isNull();
    assertThat(security.allow().acceptsEveryone()).isTrue();
    assertThat(security.limits().maxConnections()).isEqualTo(10_000);
    assertThat(ProxyConfig.builtIn().security().auth().mode()).isEqualTo(AuthMode.ANONYMOUS);
  }

  @Test
  void read_fullAuthSection_bindsUsersAndAnonymousToScopeMaps() {
    AuthSettings auth =
        read("""
        auth:
          mode: token
          htpasswd: /etc/cache-proxy/htpasswd
          service: registry.example
          realm: https://registry.example/_cache-proxy/token
          tokenLifetime: 10m
          scopeMaps:
            hub-readers:
              "hub/library/*": [pull]
              team/base: [pull]
            public:
              "public/*": [content/read]
          users:
            alice: [hub-readers, public]
            "*": [public]
          anonymous: [public]
          admins: [ops]
          protectMetrics: true
        """)
            .auth();

    assertThat(auth.mode()).isEqualTo(AuthMode.TOKEN);
    assertThat(auth.htpasswd()).isEqualTo(Path.of("/etc/cache-proxy/htpasswd"));
    assertThat(auth.service()).isEqualTo("registry.example");
    assertThat(auth.realm()).isEqualTo(URI.create("https://registry.example/_cache-proxy/token"));
    assertThat(auth.tokenLifetime()).isEqualTo(Duration.ofMinutes(10));
    assertThat(auth.scopeMaps()).containsOnlyKeys("hub-readers", "public");
    assertThat(auth.scopeMaps().get("hub-readers").allows("hub/library/alpine", Action.PULL))
        .isTrue();
    assertThat(auth.scopeMaps().get("hub-readers").allows("hub/library", Action.PULL)).isFalse();
    assertThat(auth.scopeMaps().get("hub-readers").allows("hub/other/alpine", Action.PULL))
        .isFalse();
    assertThat(auth.scopeMaps().get("hub-readers").allows("team/base", Action.PULL)).isTrue();
    assertThat(auth.scopeMaps().get("hub-readers").allows("team/base2", Action.PULL)).isFalse();
    assertThat(auth.users()).containsEntry("alice", List.of("hub-readers", "public"));
    assertThat(auth.users()).containsEntry(AuthSettings.EVERY_USER, List.of("public"));
    assertThat(auth.anonymous()).containsExactly("public");
    assertThat(auth.admins()).containsExactly("ops");
    assertThat(auth.protectMetrics()).isTrue();
    assertThat(auth.tokensFile(Path.of("/data"))).isEqualTo(Path.of("/data/auth/tokens.json"));
    assertThat(auth.signingKeyFile(Path.of("/data")))
        .isEqualTo(Path.of("/data/auth/token-signing-key.json"));
  }

  @Test
  void read_undefinedScopeMap_namesTheKeyAndTheDefinedOnes() {
    assertThatThrownBy(() ->
            read(
                """
                auth:
                  mode: basic
                  scopeMaps: {readers: {"*": [pull]}}
                  users: {alice: [writers]}
                """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("auth.users.alice")
        .hasMessageContaining("'writers' is not defined")
        .hasMessageContaining("defined: readers");
    assertThatThrownBy(() -> read("auth:\n  anonymous: [public]\n"))
        .hasMessageContaining("auth.anonymous: scope map 'public' is not defined");
  }

  @Test
  void read_pushAction_isRefusedAsReadOnly() {
    assertThatThrownBy(() -> read("auth:\n  scopeMaps: {ci: {\"team/*\": [pull, push]}}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("auth.scopeMaps.ci.team/*")
        .hasMessageContaining("read-only");
    assertThatThrownBy(() -> read("auth:\n  scopeMaps: {ci: {\"team/*\": [fly]}}\n"))
        .hasMessageContaining("'fly' is not an action");
    assertThatThrownBy(() -> read("auth:\n  scopeMaps: {ci: {\"team/*\": []}}\n"))
        .hasMessageContaining("must list actions");
  }

  @Test
  void read_badPatternsAndModes_areRefused() {
    assertThatThrownBy(() -> read("auth:\n  scopeMaps: {ci: {\"hub*\": [pull]}}\n"))
        .hasMessageContaining("auth.scopeMaps.ci.hub*")
        .hasMessageContaining("not a repository pattern");
    assertThatThrownBy(() -> read("auth:\n  scopeMaps: {ci: {\"a/*/b\": [pull]}}\n"))
        .hasMessageContaining("not a repository pattern");
    assertThatThrownBy(() -> read("auth:\n  scopeMaps: {ci: {}}\n"))
        .hasMessageContaining("auth.scopeMaps.ci grants nothing");
    assertThatThrownBy(() -> read("auth:\n  mode: ldap\n"))
        .hasMessageContaining("auth.mode: 'ldap' is not a mode; use anonymous, basic or token");
    assertThatThrownBy(() -> read("auth:\n  tokenLifetime: 2d\n"))
        .hasMessageContaining("auth.tokenLifetime must be at most 1d");
    assertThatThrownBy(() -> read("auth:\n  realm: ftp://example/token\n"))
        .hasMessageContaining("auth.realm");
    assertThatThrownBy(() -> read("auth:\n  service: \"a b\"\n"))
        .hasMessageContaining("auth.service");
    assertThatThrownBy(() -> read("auth:\n  moed: basic\n")).hasMessageContaining("auth.moed");
  }

  @Test
  void read_tls_needsBothFilesAndIsRequiredOnEveryListenerWhenAsked() {
    SecuritySettings security =
        read(
            """
            server: {port: 5443, bindAddress: 127.0.0.1}
            admin: {port: 5050}
            tls:
              certificate: /etc/tls/tls.crt
              key: /etc/tls/tls.key
              required: true
            """);

    ProxyConfig config =
        ProxyConfig.parse(
            "server: {port: 5443}\nadmin: {port: 5050}\ntls: {certificate: c.pem, key: k.pem}\n");
    assertThat(security.tls()).isNotNull();
    assertThat(security.tls().http2()).isTrue();
    assertThat(security.adminTls()).isTrue();
    assertThat(config.registryListener().scheme()).isEqualTo("https");
    assertThat(config.adminListener().scheme()).isEqualTo("http");
    assertThatThrownBy(() -> read("tls:\n  certificate: /etc/tls/tls.crt\n"))
        .hasMessageContaining("tls.key is missing");
    assertThatThrownBy(() -> read("tls:\n  required: true\n"))
        .hasMessageContaining("tls.required is true but tls.certificate and tls.key are not set");
    assertThatThrownBy(() -> read("admin:\n  tls: true\n"))
        .hasMessageContaining("admin.tls is true");
  }

  @Test
  void read_allowlists_acceptOnlyTheListedBlocks() {
    ProxyConfig config =
        ProxyConfig.parse(
            """
            server:
              allow: [10.0.0.0/8, 127.0.0.1, "fd00::/8"]
            admin:
              port: 5050
              allow: [127.0.0.0/8]
            """);

    ListenerSettings registry = config.registryListener();
    assertThat(registry.allow().allows(ip("10.20.30.40"))).isTrue();
    assertThat(registry.allow().allows(ip("127.0.0.1"))).isTrue();
    assertThat(registry.allow().allows(ip("127.0.0.2"))).isFalse();
    assertThat(registry.allow().allows(ip("11.0.0.1"))).isFalse();
    assertThat(registry.allow().allows(ip("fd12::1"))).isTrue();
    assertThat(registry.allow().allows(ip("fe80::1"))).isFalse();
    assertThat(registry.allow().allows(ip("::ffff:10.1.2.3"))).isTrue();
    assertThat(config.adminListener().allow().allows(ip("127.9.9.9"))).isTrue();
    assertThat(config.adminListener().allow().allows(ip("10.0.0.1"))).isFalse();
  }

  @Test
  void read_badAllowEntries_areRefusedNamingTheEntry() {
    assertThatThrownBy(() -> read("server:\n  allow: [10.0.0.0/33]\n"))
        .hasMessageContaining("server.allow")
        .hasMessageContaining("prefix length must be a number from 0 to 32");
    assertThatThrownBy(() -> read("server:\n  allow: [registry.example.com]\n"))
        .hasMessageContaining("'registry.example.com' is not an IP address or CIDR block");
    assertThatThrownBy(() -> read("admin:\n  allow: [10.0.0.1/8]\n"))
        .hasMessageContaining("admin.allow")
        .hasMessageContaining("host bits set");
    assertThatThrownBy(() -> read("server:\n  allow: []\n"))
        .hasMessageContaining("server.allow is empty");
  }

  @Test
  void read_limits_areReadAndMustBePositive() {
    SecuritySettings security =
        read(
            """
            server:
              maxConnections: 200
              idleTimeout: 20s
              requestTimeout: 5s
              writeTimeout: 1m
            """);

    assertThat(security.limits().maxConnections()).isEqualTo(200);
    assertThat(security.limits().idleTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(security.limits().requestTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(security.limits().writeTimeout()).isEqualTo(Duration.ofMinutes(1));
    assertThatThrownBy(() -> read("server:\n  writeTimeout: 0s\n"))
        .hasMessageContaining("server.writeTimeout must be a positive duration");
    assertThatThrownBy(() -> read("server:\n  maxConnections: 0\n"))
        .hasMessageContaining("server.maxConnections");
  }
}
