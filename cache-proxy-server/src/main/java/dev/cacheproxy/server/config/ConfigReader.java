/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.cacheproxy.core.UpstreamSettings;
import dev.cacheproxy.core.storage.StorageSettings;
import dev.cacheproxy.rules.Governance;
import dev.cacheproxy.rules.Registries;
import dev.cacheproxy.rules.RuleSet;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Reads a YAML configuration into a {@link ProxyConfig}, refusing unknown keys and invalid values
 * with a message that names the key and its path. {@link RulesReader} reads the rules.
 */
final class ConfigReader {

  private static final List<String> TOP_KEYS =
      List.of("server", "storage", "upstream", "credentials", "governance", "registries", "rules");
  private static final List<String> SERVER_KEYS = List.of("port", "bindAddress");
  private static final List<String> UPSTREAM_KEYS =
      List.of(
          "connectTimeout",
          "responseTimeout",
          "idleTimeout",
          "maxConnectionsPerRegistry",
          "maxConnectionsTotal",
          "userAgent",
          "blobResumeAttempts",
          "notFoundCacheTime");
  private static final List<String> CREDENTIAL_KEYS =
      List.of("username", "passwordEnv", "passwordFile", "registry");

  private static final YAMLMapper YAML =
      new YAMLMapper(
          YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

  private ConfigReader() {}

  /**
   * Reads a configuration.
   *
   * @param defaultRules the rules used when the configuration has no {@code rules} key
   * @throws ConfigException naming the key and the problem
   */
  static ProxyConfig read(String yaml, Supplier<RuleSet> defaultRules) {
    ConfigSection top = ConfigSection.of("", "", tree(yaml));
    top.allowOnly(TOP_KEYS);

    ConfigSection server = ConfigSection.of("server", "", top.get("server"));
    server.allowOnly(SERVER_KEYS);
    int port = server.integer("port", ProxyConfig.DEFAULT_PORT, 0, 65535);
    String bindAddress = server.string("bindAddress");

    ConfigSection storage = ConfigSection.of("storage", "", top.get("storage"));
    storage.allowOnly(StorageReader.KEYS);
    String dataDir = storage.string("dataDir");
    StorageSettings storageSettings = StorageReader.settings(storage);

    Map<String, CredentialSet> credentials = credentials(top.get("credentials"));
    Governance governance = RulesReader.governance(top.get("governance"));
    JsonNode rulesNode = top.get("rules");
    JsonNode registriesNode = top.get("registries");
    // Without its own registries list, a file with its own rules names no registry for ?ns=, so
    // it never reaches a registry its rules do not name; a file without rules keeps the built-in
    // rules and their registries.
    Registries registries =
        registriesNode != null
            ? RulesReader.registries(registriesNode)
            : rulesNode == null ? defaultRules.get().registries() : Registries.NONE;
    RuleSet rules =
        rulesNode == null
            ? RulesReader.builtInRules(defaultRules.get(), governance, registries)
            : RulesReader.rules(rulesNode, governance, registries);
    return new ProxyConfig(
        port,
        bindAddress == null ? ProxyConfig.DEFAULT_BIND_ADDRESS : bindAddress,
        dataDir == null ? ProxyConfig.DEFAULT_DATA_DIRECTORY : path("storage.dataDir", dataDir),
        storageSettings,
        upstream(ConfigSection.of("upstream", "", top.get("upstream"))),
        credentials,
        rules);
  }

  private static JsonNode tree(String yaml) {
    try {
      return YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where =
          at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
      String message = e.getOriginalMessage();
      String hint =
          message != null && message.contains("alias")
              ? "; quote values that start with *, such as target: \"*\""
              : "";
      throw new ConfigException("invalid YAML" + where + ": " + firstLine(message) + hint, e);
    }
  }

  private static UpstreamSettings upstream(ConfigSection section) {
    section.allowOnly(UPSTREAM_KEYS);
    UpstreamSettings d = UpstreamSettings.DEFAULTS;
    Duration connect = section.duration("connectTimeout", d.connectTimeout());
    Duration response = section.duration("responseTimeout", d.responseTimeout());
    Duration idle = section.duration("idleTimeout", d.idleTimeout());
    int perRegistry =
        section.integer("maxConnectionsPerRegistry", d.maxConnectionsPerRegistry(), 1, 100_000);
    int total = section.integer("maxConnectionsTotal", d.maxConnectionsTotal(), 1, 100_000);
    String userAgent = section.string("userAgent");
    int resumeAttempts = section.integer("blobResumeAttempts", d.blobResumeAttempts(), 0, 1000);
    Duration notFound = section.duration("notFoundCacheTime", d.notFoundCacheTime());
    try {
      return new UpstreamSettings(
          connect,
          response,
          idle,
          perRegistry,
          total,
          userAgent == null ? d.userAgent() : userAgent,
          resumeAttempts,
          notFound);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("upstream." + e.getMessage(), e);
    }
  }

  private static Map<String, CredentialSet> credentials(@Nullable JsonNode node) {
    ConfigSection section = ConfigSection.of("credentials", "", node);
    Map<String, CredentialSet> sets = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : section.entries()) {
      String name = entry.getKey();
      ConfigSection set = ConfigSection.of(section.keyPath(name), "", entry.getValue());
      set.allowOnly(CREDENTIAL_KEYS);
      String file = set.string("passwordFile");
      sets.put(
          name,
          new CredentialSet(
              name,
              set.requiredString("username"),
              set.string("passwordEnv"),
              file == null ? null : path(set.keyPath("passwordFile"), file),
              set.string("registry")));
    }
    return sets;
  }

  private static Path path(String key, String text) {
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      throw new ConfigException(key + ": '" + text + "' is not a valid path: " + e.getReason(), e);
    }
  }

  private static String firstLine(@Nullable String message) {
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
