/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.config;

import dev.cacheproxy.rules.Registry;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A named set of upstream credentials as configured: a user name and where its password is read
 * from. The password itself is not held here; it is read each time the set is used, so rotated
 * secrets are picked up, and it can never show up in a {@code toString()}.
 *
 * @param name the set's name, which rules reference in their {@code credentials} field
 * @param username the user name sent to the upstream
 * @param passwordEnv the environment variable holding the password, or null if a file holds it
 * @param passwordFile the file holding the password (a trailing newline is ignored), or null if an
 *     environment variable holds it
 * @param registry the registry host this set belongs to (such as {@code ghcr.io}); a rule pulling
 *     from another registry may not name it, so the secret is never sent elsewhere. Null when the
 *     set is not bound to a registry
 */
public record CredentialSet(
    String name,
    String username,
    @Nullable String passwordEnv,
    @Nullable Path passwordFile,
    @Nullable String registry) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern ENV = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /**
   * Validates the set: a valid name, a user name, exactly one of {@code passwordEnv} and {@code
   * passwordFile}, and a registry host if one is given (normalized as rules write it: {@code
   * index.docker.io} becomes {@code docker.io}).
   *
   * @throws ConfigException naming the set and the field
   */
  public CredentialSet {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new ConfigException(
          "credentials: set name '" + name + "' must be 1-64 letters, digits, '.', '_' or '-'");
    }
    if (username == null || username.isBlank()) {
      throw new ConfigException("credentials." + name + ".username is missing");
    }
    if ((passwordEnv == null) == (passwordFile == null)) {
      throw new ConfigException(
          "credentials." + name + ": set exactly one of passwordEnv and passwordFile");
    }
    if (passwordEnv != null && !ENV.matcher(passwordEnv).matches()) {
      throw new ConfigException(
          "credentials."
              + name
              + ".passwordEnv: '"
              + passwordEnv
              + "' is not an environment variable name");
    }
    if (registry != null) {
      try {
        registry = Registry.of(registry).host();
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            "credentials."
                + name
                + ".registry: '"
                + registry
                + "' is not a registry host, such as docker.io, ghcr.io or 127.0.0.1:5001",
            e);
      }
    }
  }

  /** A set that is not bound to a registry. */
  public CredentialSet(
      String name, String username, @Nullable String passwordEnv, @Nullable Path passwordFile) {
    this(name, username, passwordEnv, passwordFile, null);
  }

  /** Whether rules pulling from {@code registryHost} may use this set. */
  public boolean allows(String registryHost) {
    return registry == null || registry.equals(registryHost);
  }
}
