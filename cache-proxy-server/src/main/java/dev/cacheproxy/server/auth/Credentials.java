/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.auth;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** The credentials of an {@code Authorization} header. */
sealed interface Credentials {

  /** No header. */
  record None() implements Credentials {}

  /** {@code Basic base64(name:secret)}. */
  record Basic(String name, String secret) implements Credentials {
    @Override
    public String toString() {
      return "Basic[" + name + "]";
    }
  }

  /** {@code Bearer <jwt>}. */
  record Bearer(String token) implements Credentials {
    @Override
    public String toString() {
      return "Bearer[…]";
    }
  }

  /** A header that is neither, or not well-formed. */
  record Malformed() implements Credentials {}

  /** The longest header value looked at; longer ones are malformed. */
  int MAX_LENGTH = 16 * 1024;

  /** Parses an {@code Authorization} header value, or {@code null} for none. */
  static Credentials parse(@Nullable String header) {
    if (header == null || header.isBlank()) {
      return new None();
    }
    if (header.length() > MAX_LENGTH) {
      return new Malformed();
    }
    String value = header.strip();
    int space = value.indexOf(' ');
    if (space < 0) {
      return new Malformed();
    }
    String scheme = value.substring(0, space).toLowerCase(Locale.ROOT);
    String rest = value.substring(space + 1).strip();
    if (rest.isEmpty()) {
      return new Malformed();
    }
    return switch (scheme) {
      case "basic" -> basic(rest);
      case "bearer" -> new Bearer(rest);
      default -> new Malformed();
    };
  }

  /** {@code name:secret} from a Basic header's base64, or malformed. */
  private static Credentials basic(String encoded) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(encoded);
    } catch (IllegalArgumentException e) {
      return new Malformed();
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      return new Malformed();
    }
    int colon = text.indexOf(':');
    if (colon <= 0) {
      return new Malformed();
    }
    return new Basic(text.substring(0, colon), text.substring(colon + 1));
  }
}
