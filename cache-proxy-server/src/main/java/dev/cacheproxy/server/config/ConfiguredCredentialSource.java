/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.config;

import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.ProxyException;
import dev.cacheproxy.core.spi.CredentialSource;
import dev.cacheproxy.core.spi.Credentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The credential sets of a configuration, with passwords read from environment variables or files
 * at each lookup. Errors name the set and the variable or file, never the password.
 *
 * <p>Thread-safe: it holds only immutable state and reads the environment and files on each call.
 */
final class ConfiguredCredentialSource implements CredentialSource {

  private static final Logger LOG = LoggerFactory.getLogger(ConfiguredCredentialSource.class);

  private final Map<String, CredentialSet> sets;
  private final Function<String, @Nullable String> environment;

  ConfiguredCredentialSource(
      Map<String, CredentialSet> sets, Function<String, @Nullable String> environment) {
    this.sets = Collections.unmodifiableMap(new LinkedHashMap<>(sets));
    this.environment = environment;
  }

  /**
   * The named set's credentials, with the password read now.
   *
   * @throws ProxyException {@code UNAVAILABLE} when the password's variable or file has gone since
   *     start; the client is told which set, the log also which variable or file
   */
  @Override
  public Optional<Credentials> credentials(String name) {
    CredentialSet set = sets.get(name);
    if (set == null) {
      return Optional.empty();
    }
    String password;
    try {
      password = password(set);
    } catch (ConfigException e) {
      LOG.error("cannot read upstream credentials: {}", e.getMessage());
      throw new ProxyException(
          OciErrorCode.UNAVAILABLE,
          "the password of credential set '" + name + "' cannot be read; the proxy's log says why");
    }
    return Optional.of(new Credentials(set.username(), password));
  }

  /**
   * Reads every set's password once, so a missing variable or file is reported at start.
   *
   * @throws ConfigException naming the set and the variable or file
   */
  void checkAll() {
    sets.values().forEach(this::password);
  }

  private String password(CredentialSet set) {
    String env = set.passwordEnv();
    if (env != null) {
      String value = environment.apply(env);
      if (value == null || value.isEmpty()) {
        throw new ConfigException(
            "credentials." + set.name() + ": environment variable " + env + " is not set");
      }
      return value;
    }
    Path file = set.passwordFile();
    if (file == null) {
      throw new IllegalStateException("credential set '" + set.name() + "' has no password source");
    }
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(
          "credentials." + set.name() + ": password file " + file + " does not exist");
    } catch (IOException e) {
      throw new ConfigException(
          "credentials."
              + set.name()
              + ": cannot read password file "
              + file
              + " ("
              + e.getClass().getSimpleName()
              + ")");
    }
    String password = stripTrailingNewlines(text);
    if (password.isEmpty()) {
      throw new ConfigException(
          "credentials." + set.name() + ": password file " + file + " is empty");
    }
    return password;
  }

  private static String stripTrailingNewlines(String text) {
    int end = text.length();
    while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
      end--;
    }
    return text.substring(0, end);
  }

  @Override
  public String toString() {
    return "ConfiguredCredentialSource" + sets.keySet();
  }
}
