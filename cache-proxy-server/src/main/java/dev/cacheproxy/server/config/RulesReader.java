/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cacheproxy.rules.Governance;
import dev.cacheproxy.rules.Registries;
import dev.cacheproxy.rules.Registry;
import dev.cacheproxy.rules.RegistryEntry;
import dev.cacheproxy.rules.Retention;
import dev.cacheproxy.rules.Rule;
import dev.cacheproxy.rules.RulePolicy;
import dev.cacheproxy.rules.RuleSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads the {@code governance}, {@code registries} and {@code rules} keys of a configuration into a
 * {@link RuleSet}, naming the rule and the field in every error.
 */
final class RulesReader {

  private static final List<String> REGISTRY_KEYS =
      List.of("url", "urls", "credentials", "tagFreshness");
  private static final List<String> GOVERNANCE_KEYS = List.of("allowedRegistries", "maxRules");
  private static final List<String> RULE_KEYS =
      List.of(
          "name",
          "target",
          "source",
          "credentials",
          "tagFreshness",
          "mode",
          "tagInclude",
          "tagExclude",
          "staleIfErrorLimit",
          "stripPrefix",
          "addPrefix",
          "keepFor",
          "pinned");

  private RulesReader() {}

  /**
   * Reads {@code governance}: absent means {@link Governance#OPEN}.
   *
   * @throws ConfigException naming the key
   */
  static Governance governance(@Nullable JsonNode node) {
    if (node == null) {
      return Governance.OPEN;
    }
    ConfigSection section = ConfigSection.of("governance", "", node);
    section.allowOnly(GOVERNANCE_KEYS);
    List<String> registries = section.stringList("allowedRegistries");
    if (registries != null && registries.isEmpty()) {
      throw new ConfigException(
          "governance.allowedRegistries is empty: list the registries rules may pull from, or"
              + " remove the key to allow every registry");
    }
    Set<String> hosts = new LinkedHashSet<>();
    if (registries != null) {
      for (int i = 0; i < registries.size(); i++) {
        String host = registries.get(i);
        try {
          hosts.add(Registry.of(host).host());
        } catch (IllegalArgumentException e) {
          throw new ConfigException(
              "governance.allowedRegistries["
                  + i
                  + "]: '"
                  + host
                  + "' is not a registry host, such as docker.io, ghcr.io or 127.0.0.1:5001",
              e);
        }
      }
    }
    int maxRules =
        section.integer("maxRules", Governance.DEFAULT_MAX_RULES, 1, Integer.MAX_VALUE - 1);
    return new Governance(hosts, maxRules);
  }

  /**
   * Reads the {@code registries} map: registry host to {@code {url, credentials, tagFreshness}},
   * every key optional ({@code ghcr.io: {}} lists ghcr.io, reached at https://ghcr.io); {@code
   * urls}, a list of endpoints tried in order, may replace {@code url}.
   *
   * @throws ConfigException naming the registry and the key
   */
  static Registries registries(JsonNode node) {
    if (!node.isObject()) {
      throw new ConfigException(
          "registries must be a map of registry hosts, such as {\"ghcr.io\": {}}, not "
              + ConfigSection.kind(node));
    }
    ConfigSection section = ConfigSection.of("registries", "", node);
    List<RegistryEntry> entries = new ArrayList<>();
    for (Map.Entry<String, JsonNode> entry : section.entries()) {
      String host = entry.getKey();
      JsonNode value = entry.getValue();
      // `docker.io:` with nothing after it reads as an empty string: an entry with no settings
      boolean empty = value.isTextual() && value.asText().isEmpty();
      ConfigSection registry = ConfigSection.of(section.keyPath(host), "", empty ? null : value);
      registry.allowOnly(REGISTRY_KEYS);
      String url = registry.string("url");
      List<String> urls = registry.stringList("urls");
      if (url != null && urls != null) {
        throw new ConfigException(
            registry.keyPath("urls")
                + ": give either url (one endpoint) or urls (endpoints tried in order), not both");
      }
      if (urls != null && urls.isEmpty()) {
        throw new ConfigException(
            registry.keyPath("urls")
                + " is empty: list the endpoints to try in order, such as"
                + " [\"https://mirror.example\", \"https://origin.example\"], or remove the key");
      }
      try {
        entries.add(
            RegistryEntry.ofEndpoints(
                host,
                urls != null ? urls : url != null ? List.of(url) : List.of(),
                registry.string("credentials"),
                registry.optionalDuration("tagFreshness")));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(Objects.requireNonNullElse(e.getMessage(), e.toString()), e);
      }
    }
    try {
      return Registries.of(entries);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(Objects.requireNonNullElse(e.getMessage(), e.toString()), e);
    }
  }

  /**
   * Reads the {@code rules} list and validates it as a whole under {@code governance}.
   *
   * @throws ConfigException naming the rule, the field and the problem
   */
  static RuleSet rules(JsonNode node, Governance governance, Registries registries) {
    if (!node.isArray()) {
      throw new ConfigException("rules must be a list of rules, not " + ConfigSection.kind(node));
    }
    if (node.isEmpty()) {
      throw new ConfigException(
          "rules: the list is empty; remove the key to use the built-in rules");
    }
    if (node.size() > governance.maxRules()) {
      throw new ConfigException(
          "rules: "
              + node.size()
              + " rules are more than governance.maxRules ("
              + governance.maxRules()
              + ")");
    }
    List<Rule> rules = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      rules.add(rule("rules[" + i + "]", node.get(i)));
    }
    return ruleSet(rules, governance, registries, "");
  }

  /**
   * Validates rules written elsewhere (the built-in ones) under {@code governance}.
   *
   * @throws ConfigException naming the rule, with a hint that the built-in rules were checked
   */
  static RuleSet builtInRules(RuleSet builtIn, Governance governance, Registries registries) {
    if (governance.equals(Governance.OPEN) && registries == builtIn.registries()) {
      return builtIn;
    }
    return ruleSet(
        builtIn.rules(),
        governance,
        registries,
        " (checking the built-in rules, as the file has no rules key; write your own rules)");
  }

  private static RuleSet ruleSet(
      List<Rule> rules, Governance governance, Registries registries, String hint) {
    try {
      return RuleSet.of(rules, governance, registries);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(Objects.requireNonNullElse(e.getMessage(), e.toString()) + hint, e);
    }
  }

  private static Rule rule(String path, JsonNode element) {
    JsonNode nameNode = element.get("name");
    String context =
        nameNode != null && nameNode.isTextual() ? " (rule '" + nameNode.asText() + "')" : "";
    ConfigSection rule = ConfigSection.of(path, context, element);
    rule.allowOnly(RULE_KEYS);
    String name = rule.requiredString("name");
    String target = rule.requiredString("target");
    String source = rule.requiredString("source");
    String credentials = rule.string("credentials");
    Duration freshness = rule.duration("tagFreshness", Rule.DEFAULT_TAG_FRESHNESS);
    JsonNode modeNode = rule.get("mode");
    if (modeNode != null && modeNode.isBoolean()) {
      throw new ConfigException(
          rule.keyPath("mode")
              + context
              + ": write enabled, readOnly or disabled (YAML reads on, off, yes and no as"
              + " true or false)");
    }
    String mode = rule.string("mode");
    List<String> include = rule.stringList("tagInclude");
    List<String> exclude = rule.stringList("tagExclude");
    Duration staleLimit = rule.optionalDuration("staleIfErrorLimit");
    String strip = rule.string("stripPrefix");
    String add = rule.string("addPrefix");
    Duration keepFor = rule.optionalDuration("keepFor");
    boolean pinned = rule.bool("pinned", false);
    RulePolicy policy;
    try {
      policy =
          new RulePolicy(
              mode == null
                  ? RulePolicy.Mode.ENABLED
                  : RuleModes.parse(rule.keyPath("mode") + context, mode),
              include == null ? List.of() : include,
              exclude == null ? List.of() : exclude,
              staleLimit,
              strip == null ? "" : strip,
              add == null ? "" : add,
              new Retention(keepFor, pinned));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(path + ": rule '" + name + "': " + e.getMessage(), e);
    }
    try {
      return new Rule(name, target, Rule.parseSource(name, source), credentials, freshness, policy);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(path + ": " + e.getMessage(), e);
    }
  }
}
