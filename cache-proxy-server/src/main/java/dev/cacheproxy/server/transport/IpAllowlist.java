/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.transport;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The client addresses a listener accepts: a list of CIDR blocks ({@code 10.0.0.0/8}, {@code
 * fd00::/8}) or single addresses, like ACR's network rules. An empty list accepts everyone. The
 * address checked is the connection's peer; {@code X-Forwarded-For} is never trusted.
 */
public final class IpAllowlist {

  private static final IpAllowlist EVERYONE = new IpAllowlist(List.of());

  private final List<Block> blocks;

  private IpAllowlist(List<Block> blocks) {
    this.blocks = List.copyOf(blocks);
  }

  /** The allowlist that accepts every address. */
  public static IpAllowlist everyone() {
    return EVERYONE;
  }

  /**
   * Parses CIDR blocks and addresses; an empty list accepts everyone.
   *
   * @throws IllegalArgumentException naming the first entry that is not an IP address or CIDR block
   *     (host names are refused: they would need DNS at every connection)
   */
  public static IpAllowlist of(List<String> entries) {
    List<Block> blocks = new ArrayList<>();
    for (String entry : entries) {
      blocks.add(Block.parse(entry.strip()));
    }
    return new IpAllowlist(blocks);
  }

  /** Whether every address is accepted (the list is empty). */
  public boolean acceptsEveryone() {
    return blocks.isEmpty();
  }

  /** Whether a client connecting from {@code address} is accepted. */
  public boolean allows(InetAddress address) {
    if (blocks.isEmpty()) {
      return true;
    }
    byte[] bytes = address.getAddress();
    for (Block block : blocks) {
      if (block.contains(bytes)) {
        return true;
      }
    }
    return false;
  }

  /** The entries as written, such as {@code [10.0.0.0/8, 127.0.0.1/32]}. */
  public List<String> entries() {
    return blocks.stream().map(Block::text).toList();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof IpAllowlist list && list.entries().equals(entries());
  }

  @Override
  public int hashCode() {
    return entries().hashCode();
  }

  @Override
  public String toString() {
    return blocks.isEmpty() ? "everyone" : String.join(", ", entries());
  }

  /** One CIDR block: the network's address bytes and how many leading bits must match. */
  private static final class Block {

    private final String text;
    private final byte[] network;
    private final int prefix;

    private Block(String text, byte[] network, int prefix) {
      this.text = text;
      this.network = network.clone();
      this.prefix = prefix;
    }

    String text() {
      return text;
    }

    static Block parse(String entry) {
      int slash = entry.indexOf('/');
      String address = slash < 0 ? entry : entry.substring(0, slash);
      byte[] bytes;
      try {
        // Only literals: a dotted quad, or text with a colon (IPv6). InetAddress.getByName parses
        // these without DNS; anything else (a host name) is refused before it gets there.
        boolean v4 = address.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
        boolean v6 = address.contains(":") && address.matches("[0-9a-fA-F:.]+");
        if (!v4 && !v6) {
          throw new IllegalArgumentException("not an address");
        }
        bytes = InetAddress.getByName(address).getAddress();
      } catch (IllegalArgumentException | java.net.UnknownHostException e) {
        throw new IllegalArgumentException(
            "'" + entry + "' is not an IP address or CIDR block, such as 10.0.0.0/8 or ::1", e);
      }
      int bits = bytes.length * 8;
      int prefix = bits;
      if (slash >= 0) {
        String length = entry.substring(slash + 1);
        if (!length.matches("[0-9]{1,3}") || Integer.parseInt(length) > bits) {
          throw new IllegalArgumentException(
              "'" + entry + "': the prefix length must be a number from 0 to " + bits);
        }
        prefix = Integer.parseInt(length);
      }
      for (int bit = prefix; bit < bits; bit++) {
        if ((bytes[bit / 8] & (0x80 >>> (bit % 8))) != 0) {
          throw new IllegalArgumentException(
              "'"
                  + entry
                  + "' has host bits set after the /"
                  + prefix
                  + " prefix; write the network address");
        }
      }
      return new Block(slash < 0 ? address + "/" + bits : entry, bytes, prefix);
    }

    boolean contains(byte[] candidate) {
      byte[] tested = candidate;
      if (tested.length != network.length) {
        // An IPv4 client on a dual-stack socket may arrive as ::ffff:a.b.c.d.
        if (tested.length == 16 && network.length == 4 && mapped(tested)) {
          byte[] v4 = new byte[4];
          System.arraycopy(tested, 12, v4, 0, 4);
          tested = v4;
        } else {
          return false;
        }
      }
      for (int bit = 0; bit < prefix; bit++) {
        int mask = 0x80 >>> (bit % 8);
        if ((tested[bit / 8] & mask) != (network[bit / 8] & mask)) {
          return false;
        }
      }
      return true;
    }

    private static boolean mapped(byte[] v6) {
      for (int i = 0; i < 10; i++) {
        if (v6[i] != 0) {
          return false;
        }
      }
      return v6[10] == (byte) 0xff && v6[11] == (byte) 0xff;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Block block && block.text.equals(text);
    }

    @Override
    public int hashCode() {
      return text.hashCode();
    }

    @Override
    public String toString() {
      return text;
    }
  }
}
