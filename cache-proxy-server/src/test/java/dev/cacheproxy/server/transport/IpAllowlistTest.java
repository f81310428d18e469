/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parsing and matching of {@link IpAllowlist}. */
class IpAllowlistTest {

  @Test
  void allows_ipv4Block_matchesInsideOnly() throws Exception {
    IpAllowlist list = IpAllowlist.of(List.of("10.1.0.0/16"));

    assertThat(list.allows(address("10.1.0.0"))).isTrue();
    assertThat(list.allows(address("10.1.255.255"))).isTrue();
    assertThat(list.allows(address("10.2.0.1"))).isFalse();
    assertThat(list.allows(address("::1"))).isFalse();
  }

  @Test
  void allows_singleAddress_isSlash32() throws Exception {
    IpAllowlist list = IpAllowlist.of(List.of(" 127.0.0.2 "));

    assertThat(list.entries()).containsExactly("127.0.0.2/32");
    assertThat(list.allows(address("127.0.0.2"))).isTrue();
    assertThat(list.allows(address("127.0.0.1"))).isFalse();
  }

  @Test
  void allows_ipv6Block_matchesInsideOnly() throws Exception {
    IpAllowlist list = IpAllowlist.of(List.of("fd00::/8", "::1"));

    assertThat(list.allows(address("fd12:3456::1"))).isTrue();
    assertThat(list.allows(address("::1"))).isTrue();
    assertThat(list.allows(address("fe80::1"))).isFalse();
    assertThat(list.allows(address("10.0.0.1"))).isFalse();
  }

  @Test
  void allows_ipv4MappedIpv6Client_matchesIpv4Block() throws Exception {
    IpAllowlist list = IpAllowlist.of(List.of("192.168.0.0/24"));
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    mapped[12] = (byte) 192;
    mapped[13] = (byte) 168;
    mapped[14] = 0;
    mapped[15] = 7;

    assertThat(list.allows(InetAddress.getByAddress(mapped))).isTrue();
  }

  @Test
  void allows_zeroPrefix_matchesEveryIpv4() throws Exception {
    IpAllowlist list = IpAllowlist.of(List.of("0.0.0.0/0"));

    assertThat(list.allows(address("203.0.113.9"))).isTrue();
    assertThat(list.acceptsEveryone()).as("a list, not the empty list").isFalse();
  }

  @Test
  void everyone_allowsAll() throws Exception {
    assertThat(IpAllowlist.everyone().allows(address("203.0.113.9"))).isTrue();
    assertThat(IpAllowlist.of(List.of()).acceptsEveryone()).isTrue();
    assertThat(IpAllowlist.everyone()).hasToString("everyone");
  }

  @Test
  void of_hostName_refusedWithoutDns() {
    assertThatThrownBy(() -> IpAllowlist.of(List.of("registry.example.com")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'registry.example.com' is not an IP address or CIDR block");
  }

  @Test
  void of_hostBitsSet_refused() {
    assertThatThrownBy(() -> IpAllowlist.of(List.of("10.0.0.1/8")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("host bits set after the /8 prefix");
  }

  @Test
  void of_prefixTooLong_refused() {
    assertThatThrownBy(() -> IpAllowlist.of(List.of("10.0.0.0/33")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("from 0 to 32");
    assertThatThrownBy(() -> IpAllowlist.of(List.of("::/129")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("from 0 to 128");
  }

  @Test
  void of_badOctet_refused() {
    assertThatThrownBy(() -> IpAllowlist.of(List.of("300.0.0.0/8")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'300.0.0.0/8' is not an IP address");
  }

  @Test
  void equals_sameEntries_equal() {
    assertThat(IpAllowlist.of(List.of("10.0.0.0/8")))
        .isEqualTo(IpAllowlist.of(List.of("10.0.0.0/8")))
        .hasSameHashCodeAs(IpAllowlist.of(List.of("10.0.0.0/8")))
        .isNotEqualTo(IpAllowlist.of(List.of("10.0.0.0/9")));
  }

  private static InetAddress address(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }
}
