/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An htpasswd file of users, one {@code name:hash} line each, as {@code htpasswd -B} writes it.
 * Only bcrypt hashes ({@code $2y$}, {@code $2a$}, {@code $2b$}) are accepted; lines with other
 * hashes (MD5 {@code $apr1$}, SHA-1 {@code {SHA}}, crypt, plain text) are ignored with a warning,
 * as are blank lines and {@code #} comments.
 */
public final class Htpasswd {

  /**
   * The bcrypt cost of new hashes: 2^10 rounds, about 50–80 ms on a current CPU core, the cost
   * Docker's registry and most htpasswd guides use. Successful checks are cached (see {@link
   * AccessControl}), so a pull pays it once.
   */
  public static final int DEFAULT_COST = 10;

  private static final Logger LOG = LoggerFactory.getLogger(Htpasswd.class);

  private Htpasswd() {}

  /** The users of {@code file} by name, in file order; empty when the file does not exist. */
  public static Map<String, String> read(Path file) throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Map.of();
    }
    return parse(lines, file.toString());
  }

  /** The bcrypt users of {@code lines} by name; {@code source} names the file in warnings. */
  static Map<String, String> parse(List<String> lines, String source) {
    Map<String, String> users = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        LOG.warn("{} line {}: ignored, not name:hash", source, i + 1);
        continue;
      }
      String name = line.substring(0, colon);
      String hash = line.substring(colon + 1);
      if (!isBcrypt(hash)) {
        LOG.warn(
            "{} line {}: user {} ignored: only bcrypt hashes are accepted (create it with"
                + " cache-proxy users add or htpasswd -B)",
            source,
            i + 1,
            name);
        continue;
      }
      users.put(name, hash);
    }
    return Collections.unmodifiableMap(users);
  }

  /** Whether {@code hash} looks like a bcrypt hash. */
  static boolean isBcrypt(String hash) {
    return hash.matches("\\$2[aby]\\$\\d\\d\\$[./A-Za-z0-9]{53}");
  }

  /** A bcrypt hash of {@code password} in the {@code $2y$} form {@code htpasswd -B} writes. */
  public static String hash(char[] password, int cost) {
    return BCrypt.with(
            BCrypt.Version.VERSION_2Y, LongPasswordStrategies.truncate(BCrypt.Version.VERSION_2Y))
        .hashToString(cost, password);
  }

  /**
   * Whether {@code password} matches the bcrypt {@code hash}. Passwords longer than 72 bytes are
   * cut to 72, as bcrypt (and {@code htpasswd}) do.
   */
  static boolean verify(char[] password, String hash) {
    try {
      return BCrypt.verifyer(
              BCrypt.Version.VERSION_2Y, LongPasswordStrategies.truncate(BCrypt.Version.VERSION_2Y))
          .verify(password, hash)
          .verified;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Checks that {@code name} can be an htpasswd user name. */
  public static void checkName(String name) {
    if (name.isEmpty()
        || name.length() > 255
        || name.contains(":")
        || name.startsWith("#")
        || !name.codePoints().allMatch(c -> c > ' ' && c != 0x7f)) {
      throw new IllegalArgumentException(
          "'" + name + "' is not a user name: 1 to 255 characters, no ':', spaces or controls");
    }
  }

  /**
   * Adds user {@code name} with a bcrypt hash of {@code password} to {@code file}, replacing an
   * existing line of that user and keeping the other lines; creates the file (0600) if missing.
   *
   * @return whether the user existed before
   */
  public static boolean addUser(Path file, String name, char[] password, int cost)
      throws IOException {
    checkName(name);
    String hash = hash(password, cost);
    List<String> lines;
    try {
      lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      lines = new ArrayList<>();
    }
    boolean replaced = false;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith(name + ":")) {
        if (replaced) {
          lines.remove(i--);
        } else {
          lines.set(i, name + ":" + hash);
          replaced = true;
        }
      }
    }
    if (!replaced) {
      lines.add(name + ":" + hash);
    }
    PrivateFiles.write(file, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
    return replaced;
  }
}
