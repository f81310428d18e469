/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.config;

import dev.cacheproxy.rules.RulePolicy.Mode;
import java.util.Locale;

/**
 * The rule modes as a configuration writes them: {@code enabled}, {@code readOnly}, {@code
 * disabled}.
 */
public final class RuleModes {

  private RuleModes() {}

  /** The mode as a configuration writes it, such as {@code readOnly}. */
  public static String name(Mode mode) {
    return switch (mode) {
      case ENABLED -> "enabled";
      case READ_ONLY -> "readOnly";
      case DISABLED -> "disabled";
    };
  }

  /**
   * Parses {@code text} as the value of {@code key}.
   *
   * @throws ConfigException naming the key and the modes when the text is not one
   */
  static Mode parse(String key, String text) {
    for (Mode mode : Mode.values()) {
      if (name(mode).equals(text)) {
        return mode;
      }
    }
    String hint = "";
    for (Mode mode : Mode.values()) {
      if (name(mode).toLowerCase(Locale.ROOT).equals(text.replace("-", "").toLowerCase(Locale.ROOT))
          || mode.name().equalsIgnoreCase(text)) {
        hint = "; did you mean '" + name(mode) + "'?";
      }
    }
    throw new ConfigException(
        key + ": '" + text + "' is not a mode; write enabled, readOnly or disabled" + hint);
  }
}
