/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.auth;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A token of the tokens file: a machine credential (like an ACR token) bound to scope maps. The
 * secret itself is never stored, only its SHA-256 (see {@link TokenStore}).
 *
 * @param name the token's name, used as the user name when signing in
 * @param secretHash {@code sha256:<hex>} of the secret
 * @param scopeMaps the scope maps it is bound to
 * @param created when it was created
 * @param expires when it stops working, or null for never
 * @param revoked whether {@code cache-proxy tokens revoke} revoked it
 */
public record StoredToken(
    String name,
    String secretHash,
    List<String> scopeMaps,
    Instant created,
    @Nullable Instant expires,
    boolean revoked) {

  /** What a token is good for at a given time. */
  public enum Status {
    /** It signs in. */
    ACTIVE,
    /** Its expiry has passed. */
    EXPIRED,
    /** It was revoked. */
    REVOKED;

    /** The status as {@code tokens list} prints it: {@code active}, {@code expired}, … */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Checks the name and copies the scope maps. */
  public StoredToken {
    checkName(name);
    scopeMaps = List.copyOf(scopeMaps);
  }

  /** Checks that {@code name} can name a token: 1 to 64 letters, digits, '.', '_' or '-'. */
  public static void checkName(String name) {
    if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new IllegalArgumentException(
          "'" + name + "' is not a token name: use 1 to 64 letters, digits, '.', '_' or '-'");
    }
  }

  /** The token's status at {@code now}. */
  public Status status(Instant now) {
    if (revoked) {
      return Status.REVOKED;
    }
    Instant end = expires;
    return end != null && !now.isBefore(end) ? Status.EXPIRED : Status.ACTIVE;
  }
}
