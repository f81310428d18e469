/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SourceTest {

  @Test
  void parse_dockerHubAliases_normalizeToDockerIo() {
    assertThat(Source.parse("index.docker.io/*").registry().host()).isEqualTo("docker.io");
    assertThat(Source.parse("registry-1.docker.io/library/*").registry().isDockerHub()).isTrue();
  }

  @Test
  void parse_httpsWithPort_keepsPort() {
    Source s = Source.parse("https://registry.example:8443/team/*");
    assertThat(s.registry().host()).isEqualTo("registry.example:8443");
    assertThat(s.registry().endpoint().toString()).isEqualTo("https://registry.example:8443");
    assertThat(s.prefix()).isEqualTo("team/");
  }

  @Test
  void parse_localhost_isAHost() {
    assertThat(Source.parse("http://localhost:5000/*").registry().endpoint().toString())
        .isEqualTo("http://localhost:5000");
  }

  @Test
  void parse_badInputs_refused() {
    assertThatThrownBy(() -> Source.parse("ftp://x.io/*")).hasMessageContaining("scheme");
    assertThatThrownBy(() -> Source.parse("docker.io"))
        .hasMessageContaining("registry and a repository");
    assertThatThrownBy(() -> Source.parse("docker.io/a*b")).hasMessageContaining("only end in /*");
    assertThatThrownBy(() -> Source.parse("docker.io/UPPER")).hasMessageContaining("not a valid");
  }

  @Test
  void parse_badHost_reportedAsHostNotAsUrl() {
    assertThatThrownBy(() -> Source.parse("http://bad_host:5000/*"))
        .hasMessage("invalid registry host 'bad_host:5000'");
    assertThatThrownBy(() -> Source.parse("https://bad^host/x/*"))
        .hasMessage("invalid registry host 'bad^host'");
    assertThatThrownBy(() -> Registry.of("not a host"))
        .hasMessage("invalid registry host 'not a host'");
  }

  @Test
  void toString_roundTrips() {
    assertThat(Source.parse("http://127.0.0.1:5001/library/*").toString())
        .isEqualTo("http://127.0.0.1:5001/library/*");
    assertThat(Source.parse("ghcr.io/acme/base").toString()).isEqualTo("ghcr.io/acme/base");
  }
}
