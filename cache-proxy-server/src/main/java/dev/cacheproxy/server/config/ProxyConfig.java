/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.config;

import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.core.UpstreamSettings;
import dev.cacheproxy.core.events.WebhookTarget;
import dev.cacheproxy.core.spi.CredentialSource;
import dev.cacheproxy.core.storage.ByteSizes;
import dev.cacheproxy.core.storage.StorageSettings;
import dev.cacheproxy.rules.RegistryEntry;
import dev.cacheproxy.rules.Retention;
import dev.cacheproxy.rules.Rule;
import dev.cacheproxy.rules.RulePolicy;
import dev.cacheproxy.rules.RuleSet;
import dev.cacheproxy.server.logging.LogFormat;
import dev.cacheproxy.server.prewarm.PrewarmJob;
import dev.cacheproxy.server.transport.ListenerSettings;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The server's configuration: where it listens, where it caches and how much, how it talks to
 * upstreams, the credential sets, the rules and where the admin listener (metrics, health) is. Read
 * from YAML with {@link #load(Path)} or {@link #parse(String)}; {@link #builtIn()} is the default
 * used without a file.
 *
 * <p>Every setting is validated when the configuration is read, so a bad file is refused before the
 * server starts; only passwords are read later, by {@link #newCacheProxy()}.
 *
 * @param port the TCP port to listen on, 0 for any free port
 * @param bindAddress the address to listen on, such as {@code 0.0.0.0} or {@code 127.0.0.1}
 * @param dataDirectory the cache folder, relative to the working directory unless absolute
 * @param storage the size limit, watermarks, free-space floor and access tracking of the cache
 * @param upstream how upstream registries are reached
 * @param credentials the credential sets by name, in the order written
 * @param rules the rules mapping client repository names to upstreams
 * @param adminPort the port of the admin listener (metrics, health); 0 for no admin listener
 * @param adminBindAddress the address the admin listener listens on
 * @param logFormat how the server writes its logs: text lines or JSON objects
 * @param accessLog whether one line per request is logged
 * @param webhooks where cache events are sent
 * @param prewarm the scheduled pre-warm jobs
 * @param security client authentication, TLS, IP allowlists and connection limits
 */
public record ProxyConfig(
    int port,
    String bindAddress,
    Path dataDirectory,
    StorageSettings storage,
    UpstreamSettings upstream,
    Map<String, CredentialSet> credentials,
    RuleSet rules,
    int adminPort,
    String adminBindAddress,
    LogFormat logFormat,
    boolean accessLog,
    List<WebhookTarget> webhooks,
    List<PrewarmJob> prewarm,
    SecuritySettings security) {

  /** The port used when the configuration sets none. */
  public static final int DEFAULT_PORT = 5000;

  /** The address listened on when the configuration sets none: every interface. */
  public static final String DEFAULT_BIND_ADDRESS = "0.0.0.0";

  /** The cache folder used when the configuration sets none. */
  public static final Path DEFAULT_DATA_DIRECTORY = Path.of("./data");

  /** The port of the admin listener when the configuration sets none: 0, no admin listener. */
  public static final int DEFAULT_ADMIN_PORT = 0;

  /** The address the admin listener listens on when the configuration sets none: this machine. */
  public static final String DEFAULT_ADMIN_BIND_ADDRESS = "127.0.0.1";

  private static final String BUILT_IN_RESOURCE = "/default-config.yaml";

  /** This configuration with another log format. */
  public ProxyConfig withLogFormat(LogFormat format) {
    return new ProxyConfig(
        port,
        bindAddress,
        dataDirectory,
        storage,
        upstream,
        credentials,
        rules,
        adminPort,
        adminBindAddress,
        format,
        accessLog,
        webhooks,
        prewarm,
        security);
  }

  /**
   * Validates the settings, that every rule's credential set is defined, and that a set bound to a
   * registry is only named by rules pulling from that registry.
   *
   * @throws ConfigException naming the setting
   */
  public ProxyConfig {
    if (port < 0 || port > 65535) {
      throw new ConfigException("server.port must be an integer from 0 to 65535, not " + port);
    }
    if (bindAddress == null
        || bindAddress.isBlank()
        || bindAddress.chars().anyMatch(Character::isWhitespace)) {
      throw new ConfigException("server.bindAddress '" + bindAddress + "' is not an address");
    }
    if (adminPort < 0 || adminPort > 65535) {
      throw new ConfigException("admin.port must be an integer from 0 to 65535, not " + adminPort);
    }
    if (adminBindAddress == null
        || adminBindAddress.isBlank()
        || adminBindAddress.chars().anyMatch(Character::isWhitespace)) {
      throw new ConfigException("admin.bindAddress '" + adminBindAddress + "' is not an address");
    }
    if (logFormat == null) {
      throw new ConfigException("log.format is missing");
    }
    webhooks = List.copyOf(webhooks);
    if (security == null) {
      throw new ConfigException("security settings are missing");
    }
    prewarm = List.copyOf(prewarm);
    if (dataDirectory == null) {
      throw new ConfigException("storage.dataDir is missing");
    }
    if (storage == null) {
      throw new ConfigException("storage settings are missing");
    }
    if (upstream == null) {
      throw new ConfigException("upstream settings are missing");
    }
    if (rules == null) {
      throw new ConfigException("rules are missing");
    }
    credentials = Collections.unmodifiableMap(new LinkedHashMap<>(credentials));
    credentials.forEach((name, set) -> {
      if (!name.equals(set.name())) {
        throw new ConfigException(
            "credentials." + name + ": the set is named '" + set.name() + "'");
      }
    });
    for (Rule rule : rules.rules()) {
      String set = rule.credentials();
      if (set != null && !credentials.containsKey(set)) {
        throw new ConfigException(
            "rule '"
                + rule.name()
                + "': field 'credentials' names '"
                + set
                + "', which is not defined under credentials (defined: "
                + (credentials.isEmpty() ? "none" : String.join(", ", credentials.keySet()))
                + ")");
      }
      CredentialSet bound = set == null ? null : credentials.get(set);
      String host = rule.source().registry().host();
      if (bound != null && !bound.allows(host)) {
        throw new ConfigException(
            "credential set '"
                + set
                + "' belongs to "
                + bound.registry()
                + "; rule '"
                + rule.name()
                + "' pulls from "
                + host);
      }
    }
    for (RegistryEntry entry : rules.registries().entries()) {
      String set = entry.credentials();
      String host = entry.registry().host();
      if (set == null) {
        continue;
      }
      CredentialSet bound = credentials.get(set);
      if (bound == null) {
        throw new ConfigException(
            "registries: '"
                + host
                + "': field 'credentials' names '"
                + set
                + "', which is not defined under credentials (defined: "
                + (credentials.isEmpty() ? "none" : String.join(", ", credentials.keySet()))
                + ")");
      }
      if (!bound.allows(host)) {
        throw new ConfigException(
            "credential set '" + set + "' belongs to " + bound.registry() + ", not " + host);
      }
    }
  }

  /**
   * The built-in configuration, read from the classpath resource {@code default-config.yaml}: port
   * 5000 on every interface, the cache in {@code ./data} with {@link StorageSettings#DEFAULTS} (no
   * size limit), rules for Docker Hub (also as the default for unaliased names), GHCR, Quay,
   * registry.k8s.io, MCR, GCR and public ECR, and the admin listener on 127.0.0.1:5050.
   */
  public static ProxyConfig builtIn() {
    return BuiltIn.CONFIG;
  }

  /**
   * Reads a YAML configuration file. Without a {@code rules} key the built-in rules are used.
   *
   * @throws ConfigException if the file cannot be read or is invalid; the message starts with the
   *     file name
   */
  public static ProxyConfig load(Path yamlFile) {
    return parse(yamlFile, read(yamlFile));
  }

  /**
   * Reads a configuration file's text, for {@link #parse(Path, String)}.
   *
   * @throws ConfigException if the file is missing or unreadable
   */
  public static String read(Path yamlFile) {
    try {
      return Files.readString(yamlFile, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException("configuration file " + yamlFile + " does not exist", e);
    } catch (IOException e) {
      throw new ConfigException(
          "cannot read configuration file " + yamlFile + ": " + e.getMessage(), e);
    }
  }

  /**
   * Parses the text of a configuration file; errors name the file.
   *
   * @throws ConfigException naming the file, the key and the problem
   */
  public static ProxyConfig parse(Path yamlFile, String yaml) {
    try {
      return parse(yaml);
    } catch (ConfigException e) {
      throw new ConfigException(yamlFile + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads a YAML configuration. Without a {@code rules} key the built-in rules are used.
   *
   * @throws ConfigException naming the key and the problem
   */
  public static ProxyConfig parse(String yaml) {
    return ConfigReader.read(yaml, () -> builtIn().rules());
  }

  /** This configuration with another port (0 for any free port). */
  public ProxyConfig withPort(int port) {
    return new ProxyConfig(
        port,
        bindAddress,
        dataDirectory,
        storage,
        upstream,
        credentials,
        rules,
        adminPort,
        adminBindAddress,
        logFormat,
        accessLog,
        webhooks,
        prewarm,
        security);
  }

  /**
   * This configuration with another listen address, validated like {@code server.bindAddress}.
   *
   * @throws ConfigException if {@code address} is not an address
   */
  public ProxyConfig withBindAddress(String address) {
    return new ProxyConfig(
        port,
        address,
        dataDirectory,
        storage,
        upstream,
        credentials,
        rules,
        adminPort,
        adminBindAddress,
        logFormat,
        accessLog,
        webhooks,
        prewarm,
        security);
  }

  /** This configuration with another cache folder. */
  public ProxyConfig withDataDirectory(Path dir) {
    return new ProxyConfig(
        port,
        bindAddress,
        dir,
        storage,
        upstream,
        credentials,
        rules,
        adminPort,
        adminBindAddress,
        logFormat,
        accessLog,
        webhooks,
        prewarm,
        security);
  }

  /** This configuration with other storage settings (size limit, watermarks, access tracking). */
  public ProxyConfig withStorage(StorageSettings settings) {
    return new ProxyConfig(
        port,
        bindAddress,
        dataDirectory,
        settings,
        upstream,
        credentials,
        rules,
        adminPort,
        adminBindAddress,
        logFormat,
        accessLog,
        webhooks,
        prewarm,
        security);
  }

  /**
   * This configuration with another admin listener port; 0 turns the admin listener off.
   *
   * @throws ConfigException if {@code port} is not from 0 to 65535
   */
  public ProxyConfig withAdminPort(int port) {
    return new ProxyConfig(
        this.port,
        bindAddress,
        dataDirectory,
        storage,
        upstream,
        credentials,
        rules,
        port,
        adminBindAddress,
        logFormat,
        accessLog,
        webhooks,
        prewarm,
        security);
  }

  /** The registry listener: address, port, allowlist, TLS and limits. */
  public ListenerSettings registryListener() {
    return security.registryListener(bindAddress, port);
  }

  /** The admin listener: address, port, allowlist and TLS. */
  public ListenerSettings adminListener() {
    return security.adminListener(adminBindAddress, adminPort);
  }

  /**
   * Whether the server opens an admin listener (metrics, health): when {@link #adminPort} is set.
   */
  public boolean adminEnabled() {
    return adminPort != 0;
  }

  /**
   * Builds the cache this configuration describes, reading the passwords from the environment. The
   * caller owns the result and closes it.
   *
   * @throws ConfigException if a credential set's environment variable or file is missing (the
   *     message names the set, never a secret) or the cache refuses a setting
   */
  public CacheProxy newCacheProxy() {
    return newCacheProxy(System::getenv, null);
  }

  /**
   * Builds the cache this configuration describes, recording its metrics in {@code registry}, as
   * {@link #newCacheProxy()} does otherwise. The caller owns the result and closes it; the registry
   * stays the caller's too.
   *
   * @throws ConfigException if a credential set's environment variable or file is missing (the
   *     message names the set, never a secret) or the cache refuses a setting
   */
  public CacheProxy newCacheProxy(MeterRegistry registry) {
    return newCacheProxy(System::getenv, registry);
  }

  CacheProxy newCacheProxy(Function<String, @Nullable String> environment) {
    return newCacheProxy(environment, null);
  }

  private CacheProxy newCacheProxy(
      Function<String, @Nullable String> environment, @Nullable MeterRegistry registry) {
    ConfiguredCredentialSource source = credentialSource(environment);
    source.checkAll();
    try {
      CacheProxy.Builder builder =
          CacheProxy.builder()
              .rules(rules)
              .dataDirectory(dataDirectory)
              .storage(storage)
              .credentials(source)
              .upstream(upstream);
      if (registry != null) {
        builder.meterRegistry(registry);
      }
      builder.webhooks(webhooks);
      return builder.build();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          e.getMessage() == null ? "invalid configuration" : e.getMessage(), e);
    }
  }

  /**
   * Reads every credential set's password once, as {@link #newCacheProxy()} does, without keeping
   * or showing any of them.
   *
   * @throws ConfigException naming the set and its variable or file when one cannot be read
   */
  public void checkSecrets() {
    credentialSource(System::getenv).checkAll();
  }

  /**
   * The credential sets as a {@link CredentialSource} reading passwords from {@code environment}.
   */
  ConfiguredCredentialSource credentialSource(Function<String, @Nullable String> environment) {
    return new ConfiguredCredentialSource(credentials, environment);
  }

  /** Describes the configuration without any secret. */
  @Override
  public String toString() {
    return "ProxyConfig[port="
        + port
        + ", bindAddress="
        + bindAddress
        + ", dataDirectory="
        + dataDirectory
        + ", storage="
        + describe(storage)
        + ", upstream="
        + upstream
        + ", credentials="
        + credentials.values()
        + ", rules="
        + rules.rules().stream()
            .map(ProxyConfig::describe)
            .collect(Collectors.joining(", ", "[", "]"))
        + ", admin="
        + (adminEnabled() ? adminBindAddress + ":" + adminPort : "off")
        + "]";
  }

  /**
   * Describes a rule as {@code name: target -> source}, then the settings that differ from the
   * defaults (credential set name, never a secret), the way the server logs it.
   */
  public static String describe(Rule rule) {
    StringBuilder s =
        new StringBuilder(rule.name())
            .append(": ")
            .append(rule.target())
            .append(" -> ")
            .append(rule.source());
    if (rule.credentials() != null) {
      s.append(" (credentials ").append(rule.credentials()).append(')');
    }
    if (!rule.tagFreshness().equals(Rule.DEFAULT_TAG_FRESHNESS)) {
      s.append(" (tagFreshness ").append(Durations.format(rule.tagFreshness())).append(')');
    }
    RulePolicy policy = rule.policy();
    if (policy.mode() != RulePolicy.Mode.ENABLED) {
      s.append(" (mode ").append(RuleModes.name(policy.mode())).append(')');
    }
    if (!policy.tagInclude().isEmpty()) {
      s.append(" (tagInclude ").append(String.join(", ", policy.tagInclude())).append(')');
    }
    if (!policy.tagExclude().isEmpty()) {
      s.append(" (tagExclude ").append(String.join(", ", policy.tagExclude())).append(')');
    }
    Duration staleLimit = policy.staleIfErrorLimit();
    if (staleLimit != null) {
      s.append(" (staleIfErrorLimit ").append(Durations.format(staleLimit)).append(')');
    }
    if (!policy.stripPrefix().isEmpty()) {
      s.append(" (stripPrefix ").append(policy.stripPrefix()).append(')');
    }
    if (!policy.addPrefix().isEmpty()) {
      s.append(" (addPrefix ").append(policy.addPrefix()).append(')');
    }
    if (!policy.retention().equals(Retention.NONE)) {
      s.append(" (").append(describe(policy.retention())).append(')');
    }
    return s.toString();
  }

  /**
   * Describes a retention the way a configuration writes it: {@code keepFor 30d}, {@code pinned},
   * {@code pinned, keepFor 30d}, or {@code none}.
   */
  public static String describe(Retention retention) {
    Duration keepFor = retention.keepFor();
    String keep = keepFor == null ? "" : "keepFor " + Durations.format(keepFor);
    if (retention.pinned()) {
      return keep.isEmpty() ? "pinned" : "pinned, " + keep;
    }
    return keep.isEmpty() ? "none" : keep;
  }

  /**
   * Describes storage settings the way the server logs them, such as {@code maxSize 50.0 GiB (evict
   * above 90% down to 80%), minFreeSpace 1.0 GiB, accessTracking on}.
   */
  public static String describe(StorageSettings storage) {
    StringBuilder s = new StringBuilder("maxSize ");
    if (storage.bounded()) {
      s.append(ByteSizes.format(storage.maxSize()))
          .append(" (evict above ")
          .append(percent(storage.highWatermark()))
          .append(" down to ")
          .append(percent(storage.lowWatermark()))
          .append(')');
    } else {
      s.append("unbounded");
    }
    return s.append(", minFreeSpace ")
        .append(storage.minFreeSpace() == 0 ? "off" : ByteSizes.format(storage.minFreeSpace()))
        .append(", accessTracking ")
        .append(storage.accessTracking() ? "on" : "off")
        .toString();
  }

  private static String percent(double fraction) {
    return BigDecimal.valueOf(fraction).movePointRight(2).stripTrailingZeros().toPlainString()
        + "%";
  }

  /** Holds the built-in configuration, read once on first use. */
  private static final class BuiltIn {
    static final ProxyConfig CONFIG = read();

    private static ProxyConfig read() {
      try (InputStream in = ProxyConfig.class.getResourceAsStream(BUILT_IN_RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException(
              "the classpath resource " + BUILT_IN_RESOURCE + " is missing");
        }
        return ConfigReader.read(
            new String(in.readAllBytes(), StandardCharsets.UTF_8),
            () -> {
              throw new IllegalStateException(BUILT_IN_RESOURCE + " has no rules");
            });
      } catch (IOException e) {
        throw new IllegalStateException(
            "cannot read the classpath resource " + BUILT_IN_RESOURCE, e);
      }
    }
  }
}
