/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cacheproxy.core.storage.ByteSizes;
import dev.cacheproxy.core.storage.StorageSettings;
import java.math.BigDecimal;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads the size limit, watermarks, free-space floor and access tracking of the {@code storage} key
 * into {@link StorageSettings}, naming the key in every error. Sizes are a number of bytes or a
 * number with a unit ({@code 50GiB}, {@code 500GB}); watermarks a fraction ({@code 0.9}) or a
 * percentage ({@code "90%"}).
 */
final class StorageReader {

  /** Every key of the {@code storage} mapping, {@code dataDir} included. */
  static final List<String> KEYS =
      List.of(
          "dataDir", "maxSize", "highWatermark", "lowWatermark", "minFreeSpace", "accessTracking");

  private static final Pattern FRACTION =
      Pattern.compile("\\s*(-?[0-9]+(?:\\.[0-9]+)?)\\s*(%?)\\s*");

  private StorageReader() {}

  /**
   * Reads the storage settings of {@code section}; absent keys keep {@link
   * StorageSettings#DEFAULTS}.
   *
   * @throws ConfigException naming the key and the problem
   */
  static StorageSettings settings(ConfigSection section) {
    StorageSettings d = StorageSettings.DEFAULTS;
    long maxSize = size(section, "maxSize", d.maxSize());
    double high = fraction(section, "highWatermark", d.highWatermark());
    double low = fraction(section, "lowWatermark", d.lowWatermark());
    if (low > high) {
      throw new ConfigException(
          section.keyPath("lowWatermark")
              + " ("
              + format(low)
              + ") must not be above "
              + section.keyPath("highWatermark")
              + " ("
              + format(high)
              + (section.get("highWatermark") == null ? ", the default" : "")
              + ")");
    }
    long minFreeSpace = size(section, "minFreeSpace", d.minFreeSpace());
    boolean accessTracking = section.bool("accessTracking", d.accessTracking());
    try {
      return new StorageSettings(maxSize, high, low, minFreeSpace, accessTracking);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(String.valueOf(e.getMessage()), e);
    }
  }

  /** A fraction as messages and logs show it: {@code 0.9}, {@code 0.85}, {@code 1}. */
  static String format(double fraction) {
    return BigDecimal.valueOf(fraction).stripTrailingZeros().toPlainString();
  }

  /** A size in bytes: an integer, or a string that {@link ByteSizes#parse} reads. */
  private static long size(ConfigSection section, String key, long fallback) {
    JsonNode value = section.get(key);
    if (value == null) {
      return fallback;
    }
    String where = section.keyPath(key);
    if (value.isIntegralNumber()) {
      if (!value.canConvertToLong() || value.asLong() < 0) {
        throw new ConfigException(
            where + " must be a size of 0 or more bytes, not " + ConfigSection.kind(value));
      }
      return value.asLong();
    }
    if (!value.isTextual()) {
      throw new ConfigException(
          where
              + ": "
              + ConfigSection.kind(value)
              + " is not a size; write a number of bytes or one with a unit, like 50GiB");
    }
    try {
      return ByteSizes.parse(value.asText());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(where + ": " + e.getMessage(), e);
    }
  }

  /**
   * A fraction above 0 and at most 1: a number such as {@code 0.9}, or a string holding one or a
   * percentage such as {@code "90%"}.
   */
  private static double fraction(ConfigSection section, String key, double fallback) {
    JsonNode value = section.get(key);
    if (value == null) {
      return fallback;
    }
    BigDecimal fraction = value.isNumber() ? value.decimalValue() : parseFraction(value);
    if (fraction == null) {
      throw new ConfigException(
          section.keyPath(key)
              + ": "
              + ConfigSection.kind(value)
              + " is not a fraction; write one such as 0.9, or a percentage such as \"90%\"");
    }
    if (fraction.signum() <= 0 || fraction.compareTo(BigDecimal.ONE) > 0) {
      throw new ConfigException(
          section.keyPath(key)
              + " must be above 0 and at most 1 (100%), not "
              + ConfigSection.kind(value));
    }
    return fraction.doubleValue();
  }

  private static @Nullable BigDecimal parseFraction(JsonNode value) {
    if (!value.isTextual()) {
      return null;
    }
    Matcher m = FRACTION.matcher(value.asText());
    if (!m.matches()) {
      return null;
    }
    BigDecimal number = new BigDecimal(m.group(1));
    return m.group(2).isEmpty() ? number : number.movePointLeft(2);
  }
}
