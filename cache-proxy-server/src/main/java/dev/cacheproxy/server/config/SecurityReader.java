/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cacheproxy.server.auth.Action;
import dev.cacheproxy.server.auth.AuthMode;
import dev.cacheproxy.server.auth.AuthSettings;
import dev.cacheproxy.server.auth.RepositoryPattern;
import dev.cacheproxy.server.auth.ScopeMap;
import dev.cacheproxy.server.transport.ConnectionLimits;
import dev.cacheproxy.server.transport.IpAllowlist;
import dev.cacheproxy.server.transport.TlsSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads the {@code auth:} and {@code tls:} sections and the security keys of {@code server:} and
 * {@code admin:} ({@code allow}, the connection limits, {@code admin.tls}).
 */
final class SecurityReader {

  /** The keys of {@code server:} this reader handles. */
  static final List<String> SERVER_KEYS =
      List.of("allow", "maxConnections", "idleTimeout", "requestTimeout", "writeTimeout");

  /** The keys of {@code admin:} this reader handles. */
  static final List<String> ADMIN_KEYS = List.of("allow", "tls");

  private static final List<String> TLS_KEYS = List.of("certificate", "key", "required", "http2");
  private static final List<String> AUTH_KEYS =
      List.of(
          "mode",
          "htpasswd",
          "tokensFile",
          "signingKey",
          "service",
          "realm",
          "tokenLifetime",
          "scopeMaps",
          "users",
          "anonymous",
          "admins",
          "protectMetrics");

  private SecurityReader() {}

  /** Reads the security settings; {@code server} and {@code admin} have had their keys checked. */
  static SecuritySettings read(
      ConfigSection server, ConfigSection admin, @Nullable JsonNode tls, @Nullable JsonNode auth) {
    ConfigSection tlsSection = ConfigSection.of("tls", "", tls);
    tlsSection.allowOnly(TLS_KEYS);
    TlsSettings tlsSettings = tls(tlsSection);
    ConnectionLimits d = ConnectionLimits.DEFAULTS;
    ConnectionLimits limits =
        new ConnectionLimits(
            server.integer("maxConnections", d.maxConnections(), 1, 1_000_000),
            positive(server, "idleTimeout", d.idleTimeout()),
            positive(server, "requestTimeout", d.requestTimeout()),
            positive(server, "writeTimeout", d.writeTimeout()));
    return new SecuritySettings(
        auth(ConfigSection.of("auth", "", auth)),
        tlsSettings,
        tlsSection.bool("required", false),
        allowlist(server),
        allowlist(admin),
        admin.bool("tls", false),
        limits);
  }

  private static @Nullable TlsSettings tls(ConfigSection section) {
    String certificate = section.string("certificate");
    String key = section.string("key");
    if (certificate == null && key == null) {
      return null;
    }
    if (certificate == null || key == null) {
      throw new ConfigException(
          section.keyPath(certificate == null ? "certificate" : "key")
              + " is missing: TLS needs both a certificate (PEM chain) and its key (PEM)");
    }
    return new TlsSettings(
        path(section.keyPath("certificate"), certificate),
        path(section.keyPath("key"), key),
        section.bool("http2", true));
  }

  private static IpAllowlist allowlist(ConfigSection section) {
    List<String> entries = section.stringList("allow");
    if (entries == null) {
      return IpAllowlist.everyone();
    }
    if (entries.isEmpty()) {
      throw new ConfigException(
          section.keyPath("allow")
              + " is empty, which would refuse every client; remove the key to accept everyone");
    }
    try {
      return IpAllowlist.of(entries);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(section.keyPath("allow") + ": " + e.getMessage(), e);
    }
  }

  private static AuthSettings auth(ConfigSection section) {
    section.allowOnly(AUTH_KEYS);
    String modeText = section.string("mode");
    AuthMode mode = AuthMode.ANONYMOUS;
    if (modeText != null) {
      try {
        mode = AuthMode.valueOf(modeText.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            section.keyPath("mode")
                + ": '"
                + modeText
                + "' is not a mode; use anonymous, basic or token",
            e);
      }
    }
    String htpasswd = section.string("htpasswd");
    String tokensFile = section.string("tokensFile");
    String signingKey = section.string("signingKey");
    String service = section.string("service");
    if (service != null && (service.isBlank() || !service.matches("[A-Za-z0-9._:-]{1,255}"))) {
      throw new ConfigException(
          section.keyPath("service")
              + ": '"
              + service
              + "' must be letters, digits and . _ : - only, such as registry.example.com");
    }
    Duration lifetime = positive(section, "tokenLifetime", AuthSettings.DEFAULT_TOKEN_LIFETIME);
    if (lifetime.compareTo(Duration.ofDays(1)) > 0) {
      throw new ConfigException(
          section.keyPath("tokenLifetime")
              + " must be at most 1d: a JWT cannot be revoked before it expires");
    }
    Map<String, ScopeMap> scopeMaps = scopeMaps(section);
    Map<String, List<String>> users = new LinkedHashMap<>();
    ConfigSection usersSection =
        ConfigSection.of(section.keyPath("users"), "", section.get("users"));
    for (Map.Entry<String, JsonNode> entry : usersSection.entries()) {
      users.put(entry.getKey(), mapNames(usersSection, entry.getKey(), scopeMaps));
    }
    List<String> anonymous = mapNames(section, "anonymous", scopeMaps);
    List<String> admins = section.stringList("admins");
    return new AuthSettings(
        mode,
        htpasswd == null ? null : path(section.keyPath("htpasswd"), htpasswd),
        tokensFile == null ? null : path(section.keyPath("tokensFile"), tokensFile),
        signingKey == null ? null : path(section.keyPath("signingKey"), signingKey),
        service == null ? AuthSettings.DEFAULT_SERVICE : service,
        realm(section),
        lifetime,
        scopeMaps,
        users,
        anonymous,
        admins == null ? List.of() : admins,
        section.bool("protectMetrics", false));
  }

  private static Map<String, ScopeMap> scopeMaps(ConfigSection auth) {
    ConfigSection section = ConfigSection.of(auth.keyPath("scopeMaps"), "", auth.get("scopeMaps"));
    Map<String, ScopeMap> maps = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : section.entries()) {
      String name = entry.getKey();
      String mapPath = section.keyPath(name);
      if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
        throw new ConfigException(
            mapPath + ": a scope map name must be 1 to 64 letters, digits, '.', '_' or '-'");
      }
      ConfigSection map = ConfigSection.of(mapPath, "", entry.getValue());
      List<ScopeMap.Grant> grants = new ArrayList<>();
      for (Map.Entry<String, JsonNode> grant : map.entries()) {
        String grantPath = map.keyPath(grant.getKey());
        RepositoryPattern pattern;
        try {
          pattern = new RepositoryPattern(grant.getKey());
        } catch (IllegalArgumentException e) {
          throw new ConfigException(grantPath + ": " + e.getMessage(), e);
        }
        List<String> actionNames = map.stringList(grant.getKey());
        if (actionNames == null || actionNames.isEmpty()) {
          throw new ConfigException(grantPath + " must list actions, such as [pull]");
        }
        Set<Action> actions = EnumSet.noneOf(Action.class);
        for (String action : actionNames) {
          actions.add(action(grantPath, action));
        }
        grants.add(new ScopeMap.Grant(pattern, actions));
      }
      if (grants.isEmpty()) {
        throw new ConfigException(
            mapPath + " grants nothing; list repository patterns, such as \"hub/*\": [pull]");
      }
      maps.put(name, new ScopeMap(name, grants));
    }
    return maps;
  }

  private static Action action(String path, String text) {
    String name = text.strip().toLowerCase(Locale.ROOT);
    return switch (name) {
      case "pull", "content/read" -> Action.PULL;
      case "push", "delete", "content/write", "content/delete" ->
          throw new ConfigException(
              path
                  + ": '"
                  + text
                  + "' is not supported: cache-proxy is a read-only cache; the only action is"
                  + " pull");
      default -> throw new ConfigException(path + ": '" + text + "' is not an action; use pull");
    };
  }

  /** A list of scope map names at {@code key}, each one defined in {@code auth.scopeMaps}. */
  private static List<String> mapNames(
      ConfigSection section, String key, Map<String, ScopeMap> scopeMaps) {
    List<String> names = section.stringList(key);
    if (names == null) {
      return List.of();
    }
    for (String name : names) {
      if (!scopeMaps.containsKey(name)) {
        throw new ConfigException(
            section.keyPath(key)
                + ": scope map '"
                + name
                + "' is not defined under auth.scopeMaps"
                + (scopeMaps.isEmpty()
                    ? ""
                    : " (defined: " + String.join(", ", scopeMaps.keySet()) + ")"));
      }
    }
    return names;
  }

  private static @Nullable URI realm(ConfigSection section) {
    String text = section.string("realm");
    if (text == null) {
      return null;
    }
    URI realm;
    try {
      realm = new URI(text.strip());
    } catch (URISyntaxException e) {
      throw new ConfigException(
          section.keyPath("realm") + ": '" + text + "' is not a URL: " + e.getReason(), e);
    }
    String scheme = realm.getScheme() == null ? "" : realm.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || realm.getHost() == null) {
      throw new ConfigException(
          section.keyPath("realm")
              + ": '"
              + text
              + "' must be an http or https URL, such as https://registry.example/_cache-proxy/token");
    }
    return realm;
  }

  private static Duration positive(ConfigSection section, String key, Duration fallback) {
    Duration value = section.duration(key, fallback);
    if (value.isZero() || value.isNegative()) {
      throw new ConfigException(section.keyPath(key) + " must be a positive duration, not 0s");
    }
    return value;
  }

  private static Path path(String key, String text) {
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      throw new ConfigException(key + ": '" + text + "' is not a valid path: " + e.getReason(), e);
    }
  }
}
