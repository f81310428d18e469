/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest such as {@code sha256:6c3c…}. Only {@code sha256} and {@code sha512} are
 * accepted, with lower-case hex of the right length.
 *
 * @param algorithm {@code sha256} or {@code sha512}
 * @param hex the lower-case hex encoding
 */
public record Digest(String algorithm, String hex) implements Reference, Comparable<Digest> {

  private static final Pattern SHA256 = Pattern.compile("[a-f0-9]{64}");
  private static final Pattern SHA512 = Pattern.compile("[a-f0-9]{128}");

  /** Validates the algorithm and hex. */
  public Digest {
    if ("sha256".equals(algorithm)) {
      if (hex == null || !SHA256.matcher(hex).matches()) {
        throw invalid(algorithm + ":" + hex);
      }
    } else if ("sha512".equals(algorithm)) {
      if (hex == null || !SHA512.matcher(hex).matches()) {
        throw invalid(algorithm + ":" + hex);
      }
    } else {
      throw new ProxyException(
          OciErrorCode.DIGEST_INVALID,
          "unsupported digest algorithm '"
              + Tag.shorten(algorithm)
              + "': expected sha256 or sha512");
    }
  }

  /**
   * Parses {@code algorithm:hex}.
   *
   * @throws ProxyException with {@link OciErrorCode#DIGEST_INVALID}
   */
  public static Digest parse(String text) {
    if (text == null) {
      throw invalid("null");
    }
    int colon = text.indexOf(':');
    if (colon <= 0) {
      throw invalid(text);
    }
    return new Digest(text.substring(0, colon), text.substring(colon + 1));
  }

  /** The SHA-256 digest of {@code bytes}. */
  public static Digest sha256(byte[] bytes) {
    return new Digest("sha256", HexFormat.of().formatHex(newSha256().digest(bytes)));
  }

  /** The digest of {@code bytes} with this digest's algorithm. */
  public Digest of(byte[] bytes) {
    return new Digest(algorithm, HexFormat.of().formatHex(newMessageDigest().digest(bytes)));
  }

  /** Whether {@code bytes} hash to this digest. */
  public boolean matches(byte[] bytes) {
    return MessageDigest.isEqual(newMessageDigest().digest(bytes), HexFormat.of().parseHex(hex));
  }

  /** A new {@link MessageDigest} for this digest's algorithm. */
  public MessageDigest newMessageDigest() {
    try {
      return MessageDigest.getInstance(algorithm.equals("sha256") ? "SHA-256" : "SHA-512");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks " + algorithm, e);
    }
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  private static ProxyException invalid(String text) {
    return new ProxyException(
        OciErrorCode.DIGEST_INVALID,
        "invalid digest '" + Tag.shorten(text) + "': expected sha256:<64 hex> or sha512:<128 hex>");
  }

  @Override
  public int compareTo(Digest other) {
    int c = algorithm.compareTo(other.algorithm);
    return c != 0 ? c : hex.compareTo(other.hex);
  }

  @Override
  public String toString() {
    return algorithm + ":" + hex;
  }
}
