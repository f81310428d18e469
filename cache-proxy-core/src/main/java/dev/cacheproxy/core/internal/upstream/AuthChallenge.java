/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One challenge of a {@code WWW-Authenticate} header (RFC 9110 section 11.6.1), such as {@code
 * Bearer realm="https://auth.docker.io/token",service="registry.docker.io"}.
 *
 * @param scheme the auth scheme, lower-cased
 * @param params the auth parameters by lower-cased name, values unquoted
 */
record AuthChallenge(String scheme, Map<String, String> params) {

  AuthChallenge {
    params = Map.copyOf(params);
  }

  /** A parameter's value, or null. */
  @Nullable String param(String name) {
    return params.get(name);
  }

  /**
   * Parses the challenges of all the given header values. Tolerates quoted values holding commas
   * and escapes, several challenges in one value, any case and stray whitespace; skips what it
   * cannot read.
   */
  static List<AuthChallenge> parse(List<String> headerValues) {
    List<AuthChallenge> challenges = new ArrayList<>();
    for (String value : headerValues) {
      new Parser(value).parseInto(challenges);
    }
    return List.copyOf(challenges);
  }

  private static final class Parser {
    private final String s;
    private int pos;

    Parser(String s) {
      this.s = s;
    }

    void parseInto(List<AuthChallenge> out) {
      while (true) {
        skip(", \t");
        if (pos >= s.length()) {
          return;
        }
        String scheme = token();
        if (scheme.isEmpty()) {
          pos++; // Not a token character: skip it.
          continue;
        }
        Map<String, String> params = new LinkedHashMap<>();
        skip(" \t");
        parseParams(params);
        out.add(new AuthChallenge(scheme.toLowerCase(Locale.ROOT), params));
      }
    }

    /** Reads {@code name=value} pairs up to the next challenge or the end. */
    private void parseParams(Map<String, String> params) {
      int start = pos;
      String name = token();
      skip(" \t");
      if (name.isEmpty() || !at('=')) {
        pos = start; // No parameters: what follows is the next challenge.
        return;
      }
      if (params.isEmpty() && isToken68Padding()) {
        skipToken68Padding();
        return;
      }
      while (true) {
        pos++; // '='
        skip(" \t");
        String value = at('"') ? quoted() : bareValue();
        params.putIfAbsent(name.toLowerCase(Locale.ROOT), value);
        skip(" \t");
        if (!at(',')) {
          return;
        }
        int comma = pos;
        skip(", \t");
        name = token();
        skip(" \t");
        if (name.isEmpty() || !at('=')) {
          pos = comma; // A new challenge starts after the comma.
          return;
        }
      }
    }

    /** Whether the '=' at pos ends a token68 such as {@code abc==}, rather than a parameter. */
    private boolean isToken68Padding() {
      int p = pos;
      while (p < s.length() && s.charAt(p) == '=') {
        p++;
      }
      while (p < s.length() && (s.charAt(p) == ' ' || s.charAt(p) == '\t')) {
        p++;
      }
      return p >= s.length() || s.charAt(p) == ',';
    }

    private void skipToken68Padding() {
      while (at('=')) {
        pos++;
      }
    }

    private String token() {
      int start = pos;
      while (pos < s.length() && isTokenChar(s.charAt(pos))) {
        pos++;
      }
      return s.substring(start, pos);
    }

    /** An unquoted value; leniently anything up to a comma or whitespace, such as a bare URL. */
    private String bareValue() {
      int start = pos;
      while (pos < s.length() && ", \t".indexOf(s.charAt(pos)) < 0) {
        pos++;
      }
      return s.substring(start, pos);
    }

    private String quoted() {
      StringBuilder sb = new StringBuilder();
      pos++; // opening quote
      while (pos < s.length()) {
        char c = s.charAt(pos++);
        if (c == '"') {
          return sb.toString();
        }
        if (c == '\\' && pos < s.length()) {
          c = s.charAt(pos++);
        }
        sb.append(c);
      }
      return sb.toString(); // Unterminated: take what there is.
    }

    private boolean at(char c) {
      return pos < s.length() && s.charAt(pos) == c;
    }

    private void skip(String chars) {
      while (pos < s.length() && chars.indexOf(s.charAt(pos)) >= 0) {
        pos++;
      }
    }

    private static boolean isTokenChar(char c) {
      return (c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || "!#$%&'*+-.^_`|~/".indexOf(c) >= 0;
    }
  }
}
