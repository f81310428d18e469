/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.cacheproxy.core.UpstreamResilience;
import dev.cacheproxy.core.UpstreamSettings;
import dev.cacheproxy.core.storage.StorageSettings;
import dev.cacheproxy.rules.Governance;
import dev.cacheproxy.rules.Registries;
import dev.cacheproxy.rules.Registry;
import dev.cacheproxy.rules.RuleSet;
import dev.cacheproxy.server.logging.LogFormat;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads a YAML configuration into a {@link ProxyConfig}, refusing unknown keys and invalid values
 * with a message that names the key and its path. {@link RulesReader} reads the rules.
 */
final class ConfigReader {

  private static final List<String> TOP_KEYS =
      List.of(
          "server",
          "storage",
          "upstream",
          "credentials",
          "governance",
          "registries",
          "rules",
          "admin",
          "log",
          "webhooks",
          "prewarm",
          "tls",
          "auth");
  private static final List<String> SERVER_KEYS =
      concat(List.of("port", "bindAddress"), SecurityReader.SERVER_KEYS);
  private static final List<String> ADMIN_KEYS =
      concat(List.of("port", "bindAddress"), SecurityReader.ADMIN_KEYS);
  private static final List<String> LOG_KEYS = List.of("format", "accessLog");
  private static final List<String> UPSTREAM_KEYS =
      List.of(
          "connectTimeout",
          "responseTimeout",
          "idleTimeout",
          "maxConnectionsPerRegistry",
          "maxConnectionsTotal",
          "userAgent",
          "blobResumeAttempts",
          "notFoundCacheTime",
          "keepDeletedTags",
          "retryAttempts",
          "retryBackoff",
          "retryMaxBackoff",
          "circuitBreaker",
          "maxConcurrentRequests",
          "maxQueueTime",
          "requestsPerSecond",
          "registries");

  /** The keys of {@code upstream} that {@code upstream.registries.<host>} may override. */
  private static final List<String> RESILIENCE_KEYS =
      List.of(
          "retryAttempts",
          "retryBackoff",
          "retryMaxBackoff",
          "circuitBreaker",
          "maxConcurrentRequests",
          "maxQueueTime",
          "requestsPerSecond");

  private static final List<String> CIRCUIT_KEYS =
      List.of("failureRate", "minimumCalls", "window", "openFor");
  private static final Pattern PERCENT = Pattern.compile("\\s*([0-9]{1,3})\\s*%?\\s*");
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

    ConfigSection admin = ConfigSection.of("admin", "", top.get("admin"));
    admin.allowOnly(ADMIN_KEYS);
    int adminPort = admin.integer("port", ProxyConfig.DEFAULT_ADMIN_PORT, 0, 65535);
    String adminBindAddress = admin.string("bindAddress");

    ConfigSection log = ConfigSection.of("log", "", top.get("log"));
    log.allowOnly(LOG_KEYS);
    String format = log.string("format");
    boolean accessLog = log.bool("accessLog", true);
    LogFormat logFormat;
    try {
      logFormat = format == null ? LogFormat.TEXT : LogFormat.parse(format);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("log.format: " + e.getMessage(), e);
    }

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
        rules,
        adminPort,
        adminBindAddress == null ? ProxyConfig.DEFAULT_ADMIN_BIND_ADDRESS : adminBindAddress,
        logFormat,
        accessLog,
        WebhooksReader.read(top.get("webhooks"), System.getenv()),
        PrewarmReader.read(top.get("prewarm")),
        SecurityReader.read(server, admin, top.get("tls"), top.get("auth")));
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
    boolean keepDeletedTags = section.bool("keepDeletedTags", d.keepDeletedTags());
    UpstreamResilience common = resilience(section, d.resilience(), "the default");
    Map<String, UpstreamResilience> registries = registries(section, common);
    try {
      return new UpstreamSettings(
          connect,
          response,
          idle,
          perRegistry,
          total,
          userAgent == null ? d.userAgent() : userAgent,
          resumeAttempts,
          notFound,
          common,
          registries,
          keepDeletedTags);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("upstream." + e.getMessage(), e);
    }
  }

  /**
   * Reads {@code upstream.registries}: registry host (as written in image references; {@code
   * index.docker.io} is {@code docker.io}) to the resilience keys that differ from {@code common}.
   */
  private static Map<String, UpstreamResilience> registries(
      ConfigSection upstream, UpstreamResilience common) {
    ConfigSection section =
        ConfigSection.of(upstream.keyPath("registries"), "", upstream.get("registries"));
    Map<String, UpstreamResilience> byHost = new LinkedHashMap<>();
    Map<String, String> written = new HashMap<>();
    for (Map.Entry<String, JsonNode> entry : section.entries()) {
      String key = entry.getKey();
      String path = section.keyPath(key);
      String host;
      try {
        host = Registry.of(key).host();
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            path
                + ": '"
                + key
                + "' is not a registry host, such as docker.io, ghcr.io or 127.0.0.1:5001",
            e);
      }
      String earlier = written.putIfAbsent(host, key);
      if (earlier != null) {
        throw new ConfigException(
            path + ": registry '" + host + "' is already listed as " + section.keyPath(earlier));
      }
      JsonNode value = entry.getValue();
      // `docker.io:` with nothing after it reads as an empty string: an entry with no settings
      boolean empty = value.isTextual() && value.asText().isEmpty();
      ConfigSection registry = ConfigSection.of(path, "", empty ? null : value);
      registry.allowOnly(RESILIENCE_KEYS);
      byHost.put(host, resilience(registry, common, "inherited from upstream"));
    }
    return byHost;
  }

  /**
   * Reads the resilience keys of {@code section}; an absent key keeps the value of {@code base}.
   *
   * @param inherited how messages describe a value taken from {@code base}
   */
  private static UpstreamResilience resilience(
      ConfigSection section, UpstreamResilience base, String inherited) {
    int attempts = section.integer("retryAttempts", base.retryAttempts(), 1, 100);
    Duration backoff = positive(section, "retryBackoff", base.retryBackoff());
    Duration maxBackoff = positive(section, "retryMaxBackoff", base.retryMaxBackoff());
    if (maxBackoff.compareTo(backoff) < 0) {
      throw new ConfigException(
          shown(section, "retryMaxBackoff", Durations.format(maxBackoff), inherited)
              + " must not be shorter than "
              + shown(section, "retryBackoff", Durations.format(backoff), inherited));
    }
    ConfigSection circuit =
        ConfigSection.of(section.keyPath("circuitBreaker"), "", section.get("circuitBreaker"));
    circuit.allowOnly(CIRCUIT_KEYS);
    int failureRate = percentage(circuit, "failureRate", base.circuitFailureRate());
    int minimumCalls = circuit.integer("minimumCalls", base.circuitMinimumCalls(), 1, 10_000);
    int window = circuit.integer("window", base.circuitWindow(), 1, 10_000);
    if (minimumCalls > window) {
      throw new ConfigException(
          shown(circuit, "minimumCalls", Integer.toString(minimumCalls), inherited)
              + " must not be more than "
              + shown(circuit, "window", Integer.toString(window), inherited));
    }
    Duration openFor = positive(circuit, "openFor", base.circuitOpenFor());
    int maxConcurrent =
        section.integer("maxConcurrentRequests", base.maxConcurrentRequests(), 1, 100_000);
    Duration queueTime = section.duration("maxQueueTime", base.maxQueueTime());
    double perSecond = section.decimal("requestsPerSecond", base.requestsPerSecond(), 0, 1_000_000);
    try {
      return new UpstreamResilience(
          attempts,
          backoff,
          maxBackoff,
          failureRate,
          minimumCalls,
          window,
          openFor,
          maxConcurrent,
          queueTime,
          perSecond);
    } catch (IllegalArgumentException e) {
      // the checks above catch every problem first; this names the key should one slip through
      String message = String.valueOf(e.getMessage());
      int space = message.indexOf(' ');
      String field = space < 0 ? message : message.substring(0, space);
      String key =
          switch (field) {
            case "circuitFailureRate" -> circuit.keyPath("failureRate");
            case "circuitMinimumCalls" -> circuit.keyPath("minimumCalls");
            case "circuitWindow" -> circuit.keyPath("window");
            case "circuitOpenFor" -> circuit.keyPath("openFor");
            default -> section.keyPath(field);
          };
      throw new ConfigException(key + message.substring(field.length()), e);
    }
  }

  /** A duration above zero, or {@code fallback} when absent. */
  private static Duration positive(ConfigSection section, String key, Duration fallback) {
    Duration d = section.duration(key, fallback);
    if (d.isZero()) {
      throw new ConfigException(section.keyPath(key) + " must be a positive duration, not 0s");
    }
    return d;
  }

  /** A whole percentage from 1 to 100: a number such as {@code 50}, or a string such as "50%". */
  private static int percentage(ConfigSection section, String key, int fallback) {
    JsonNode value = section.get(key);
    if (value == null) {
      return fallback;
    }
    int percent = -1;
    if (value.isIntegralNumber() && value.canConvertToInt()) {
      percent = value.asInt();
    } else if (value.isTextual()) {
      Matcher m = PERCENT.matcher(value.asText());
      if (m.matches()) {
        percent = Integer.parseInt(m.group(1));
      }
    }
    if (percent < 1 || percent > 100) {
      throw new ConfigException(
          section.keyPath(key)
              + " must be a percentage from 1 to 100, such as 50 or \"50%\", not "
              + ConfigSection.kind(value));
    }
    return percent;
  }

  /** A key and its value for a message, saying when the value was not written at this level. */
  private static String shown(ConfigSection section, String key, String value, String inherited) {
    return section.keyPath(key)
        + " ("
        + value
        + (section.get(key) == null ? ", " + inherited : "")
        + ")";
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

  private static List<String> concat(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
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
