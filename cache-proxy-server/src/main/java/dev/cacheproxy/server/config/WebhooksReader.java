/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cacheproxy.core.events.CacheEvent;
import dev.cacheproxy.core.events.WebhookTarget;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads the {@code webhooks} list of the configuration into {@link WebhookTarget}s:
 *
 * <pre>{@code
 * webhooks:
 *   - url: https://hooks.example/cache
 *     secretEnv: HOOK_SECRET      # or secretFile: /run/secrets/hook; neither: unsigned
 *     events: [cache.fill, tag.updated]   # optional; default all
 *     maxAttempts: 8              # optional; default 8, 1 to 100
 * }</pre>
 *
 * <p>The secret is read once, here: from the environment variable {@code secretEnv} or the file
 * {@code secretFile} (trailing newlines ignored), like the credentials' {@code passwordEnv} and
 * {@code passwordFile}. Errors name the key ({@code webhooks[0].url}) and never show a secret.
 */
public final class WebhooksReader {

  /** The keys a webhook may have. */
  static final List<String> KEYS =
      List.of("url", "secretEnv", "secretFile", "events", "maxAttempts");

  private static final Pattern ENV = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private WebhooksReader() {}

  /**
   * The targets of a {@code webhooks} value; none when it is absent or empty.
   *
   * @param node the value of the top-level {@code webhooks} key, or null when absent
   * @param env the environment that {@code secretEnv} names are looked up in
   * @throws ConfigException naming the key that is wrong
   */
  public static List<WebhookTarget> read(@Nullable JsonNode node, Map<String, String> env) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw new ConfigException(
          "webhooks must be a list of webhooks, each with a url, not " + ConfigSection.kind(node));
    }
    List<WebhookTarget> targets = new ArrayList<>();
    Set<URI> seen = new HashSet<>();
    for (int i = 0; i < node.size(); i++) {
      String path = "webhooks[" + i + "]";
      WebhookTarget target = target(ConfigSection.of(path, "", node.get(i)), env);
      if (!seen.add(target.url())) {
        throw new ConfigException(
            path + ".url: '" + target.url() + "' is listed twice; list each webhook once");
      }
      targets.add(target);
    }
    return List.copyOf(targets);
  }

  private static WebhookTarget target(ConfigSection section, Map<String, String> env) {
    section.allowOnly(KEYS);
    URI url = url(section);
    String secret = secret(section, env);
    Set<String> events = events(section);
    int maxAttempts =
        section.integer(
            "maxAttempts", WebhookTarget.DEFAULT_MAX_ATTEMPTS, 1, WebhookTarget.MAX_ATTEMPTS_LIMIT);
    try {
      return new WebhookTarget(url, secret, events, maxAttempts);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(section.keyPath("url") + ": " + e.getMessage(), e);
    }
  }

  private static URI url(ConfigSection section) {
    String key = section.keyPath("url");
    String text = section.requiredString("url").strip();
    URI url;
    try {
      url = new URI(text);
    } catch (URISyntaxException e) {
      throw new ConfigException(key + ": '" + text + "' is not a URL: " + e.getReason(), e);
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new ConfigException(
          key
              + ": '"
              + text
              + "' must be an http or https URL, such as https://hooks.example/cache");
    }
    if (url.getHost() == null || url.getHost().isEmpty()) {
      throw new ConfigException(key + ": '" + text + "' has no host");
    }
    if (url.getRawUserInfo() != null) {
      throw new ConfigException(
          key
              + ": put no user or password in the URL; sign the deliveries with secretEnv or"
              + " secretFile instead");
    }
    return url;
  }

  private static @Nullable String secret(ConfigSection section, Map<String, String> env) {
    String variable = section.string("secretEnv");
    String file = section.string("secretFile");
    if (variable != null && file != null) {
      throw new ConfigException(
          section.keyPath("secretEnv") + ": set at most one of secretEnv and secretFile");
    }
    if (variable != null) {
      String key = section.keyPath("secretEnv");
      if (!ENV.matcher(variable).matches()) {
        throw new ConfigException(key + ": '" + variable + "' is not an environment variable name");
      }
      String value = env.get(variable);
      if (value == null || value.isEmpty()) {
        throw new ConfigException(
            key + ": the environment variable " + variable + " is not set or empty");
      }
      return value;
    }
    if (file != null) {
      String key = section.keyPath("secretFile");
      Path path;
      try {
        path = Path.of(file);
      } catch (InvalidPathException e) {
        throw new ConfigException(
            key + ": '" + file + "' is not a valid path: " + e.getReason(), e);
      }
      String text;
      try {
        text = Files.readString(path, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new ConfigException(key + ": cannot read " + path + ": " + e, e);
      }
      String value = stripTrailingNewlines(text);
      if (value.isEmpty()) {
        throw new ConfigException(key + ": " + path + " is empty");
      }
      return value;
    }
    return null;
  }

  private static Set<String> events(ConfigSection section) {
    List<String> listed = section.stringList("events");
    if (listed == null) {
      return Set.of();
    }
    Set<String> events = new LinkedHashSet<>();
    for (int i = 0; i < listed.size(); i++) {
      String type = listed.get(i);
      if (!CacheEvent.TYPES.contains(type)) {
        throw new ConfigException(
            section.keyPath("events")
                + "["
                + i
                + "]: unknown event type '"
                + type
                + "': expected one of "
                + String.join(", ", new TreeSet<>(CacheEvent.TYPES)));
      }
      events.add(type);
    }
    if (events.isEmpty()) {
      throw new ConfigException(
          section.keyPath("events")
              + " is empty: list the event types to send, or leave it out to send all");
    }
    return events;
  }

  private static String stripTrailingNewlines(String text) {
    int end = text.length();
    while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
      end--;
    }
    return text.substring(0, end);
  }
}
