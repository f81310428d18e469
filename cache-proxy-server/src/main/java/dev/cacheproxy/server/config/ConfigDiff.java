/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.config;

import dev.cacheproxy.core.UpstreamResilience;
import dev.cacheproxy.core.UpstreamSettings;
import dev.cacheproxy.core.storage.ByteSizes;
import dev.cacheproxy.core.storage.StorageSettings;
import dev.cacheproxy.rules.Retention;
import dev.cacheproxy.rules.Rule;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * What changed between two configurations, in words for the log: which rules and credential sets
 * were added, removed or changed (and how a changed rule's retention changed), and which settings
 * only a restart applies.
 */
final class ConfigDiff {

  private ConfigDiff() {}

  /**
   * The rules and credential sets that differ, such as {@code added: a, b; changed: c; retention
   * changed: c (none -> keepFor 30d); credential sets changed: hub}, or {@code no rule changes}.
   * Names only, never a secret.
   */
  static String describe(ProxyConfig before, ProxyConfig after) {
    List<String> parts = new ArrayList<>();
    Map<String, Rule> rulesBefore = byName(before.rules().rules(), Rule::name);
    Map<String, Rule> rulesAfter = byName(after.rules().rules(), Rule::name);
    names("", rulesBefore, rulesAfter, parts);
    retention(rulesBefore, rulesAfter, parts);
    names("credential sets ", before.credentials(), after.credentials(), parts);
    names(
        "registries ",
        byName(before.rules().registries().entries(), e -> e.registry().host()),
        byName(after.rules().registries().entries(), e -> e.registry().host()),
        parts);
    if (!before.rules().governance().equals(after.rules().governance())) {
      parts.add("governance changed");
    }
    return parts.isEmpty() ? "no rule changes" : String.join("; ", parts);
  }

  /**
   * The settings that differ but are only applied by a restart, each as {@code server.port changed
   * from 5000 to 5001}.
   */
  static List<String> restartOnly(ProxyConfig running, ProxyConfig next) {
    List<String> changes = new ArrayList<>();
    changed("server.port", running.port(), next.port(), changes);
    changed("server.bindAddress", running.bindAddress(), next.bindAddress(), changes);
    changed("admin.port", running.adminPort(), next.adminPort(), changes);
    changed("admin.bindAddress", running.adminBindAddress(), next.adminBindAddress(), changes);
    changed("log.format", running.logFormat(), next.logFormat(), changes);
    changed("log.accessLog", running.accessLog(), next.accessLog(), changes);
    security(running.security(), next.security(), changes);
    if (!running.webhooks().equals(next.webhooks())) {
      changes.add("webhooks changed (" + next.webhooks().size() + " targets)");
    }
    if (!prewarmText(running).equals(prewarmText(next))) {
      changes.add("prewarm changed (" + next.prewarm().size() + " jobs)");
    }
    changed(
        "storage.dataDir",
        absolute(running.dataDirectory()),
        absolute(next.dataDirectory()),
        changes);
    UpstreamSettings a = running.upstream();
    UpstreamSettings b = next.upstream();
    changed(
        "upstream.connectTimeout",
        Durations.format(a.connectTimeout()),
        Durations.format(b.connectTimeout()),
        changes);
    changed(
        "upstream.responseTimeout",
        Durations.format(a.responseTimeout()),
        Durations.format(b.responseTimeout()),
        changes);
    changed(
        "upstream.idleTimeout",
        Durations.format(a.idleTimeout()),
        Durations.format(b.idleTimeout()),
        changes);
    changed(
        "upstream.maxConnectionsPerRegistry",
        a.maxConnectionsPerRegistry(),
        b.maxConnectionsPerRegistry(),
        changes);
    changed(
        "upstream.maxConnectionsTotal", a.maxConnectionsTotal(), b.maxConnectionsTotal(), changes);
    changed("upstream.userAgent", a.userAgent(), b.userAgent(), changes);
    changed("upstream.blobResumeAttempts", a.blobResumeAttempts(), b.blobResumeAttempts(), changes);
    changed(
        "upstream.notFoundCacheTime",
        Durations.format(a.notFoundCacheTime()),
        Durations.format(b.notFoundCacheTime()),
        changes);
    changed("upstream.keepDeletedTags", a.keepDeletedTags(), b.keepDeletedTags(), changes);
    resilience("upstream.", a.resilience(), b.resilience(), changes);
    Set<String> hosts = new TreeSet<>(a.registries().keySet());
    hosts.addAll(b.registries().keySet());
    for (String host : hosts) {
      UpstreamResilience was = a.registries().get(host);
      UpstreamResilience now = b.registries().get(host);
      String key = "upstream.registries." + host;
      if (was == null) {
        changes.add(key + " added");
      } else if (now == null) {
        changes.add(key + " removed");
      } else {
        resilience(key + ".", was, now, changes);
      }
    }
    if (changes.isEmpty() && !a.equals(b)) {
      changes.add("upstream settings changed");
    }
    StorageSettings s = running.storage();
    StorageSettings t = next.storage();
    sizeChanged("storage.maxSize", s.maxSize(), t.maxSize(), changes);
    changed(
        "storage.highWatermark",
        StorageReader.format(s.highWatermark()),
        StorageReader.format(t.highWatermark()),
        changes);
    changed(
        "storage.lowWatermark",
        StorageReader.format(s.lowWatermark()),
        StorageReader.format(t.lowWatermark()),
        changes);
    sizeChanged("storage.minFreeSpace", s.minFreeSpace(), t.minFreeSpace(), changes);
    changed("storage.accessTracking", s.accessTracking(), t.accessTracking(), changes);
    return changes;
  }

  /** Adds each resilience setting that differs, its key written after {@code prefix}. */
  private static void resilience(
      String prefix, UpstreamResilience a, UpstreamResilience b, List<String> changes) {
    changed(prefix + "retryAttempts", a.retryAttempts(), b.retryAttempts(), changes);
    changed(
        prefix + "retryBackoff",
        Durations.format(a.retryBackoff()),
        Durations.format(b.retryBackoff()),
        changes);
    changed(
        prefix + "retryMaxBackoff",
        Durations.format(a.retryMaxBackoff()),
        Durations.format(b.retryMaxBackoff()),
        changes);
    changed(
        prefix + "circuitBreaker.failureRate",
        a.circuitFailureRate() + "%",
        b.circuitFailureRate() + "%",
        changes);
    changed(
        prefix + "circuitBreaker.minimumCalls",
        a.circuitMinimumCalls(),
        b.circuitMinimumCalls(),
        changes);
    changed(prefix + "circuitBreaker.window", a.circuitWindow(), b.circuitWindow(), changes);
    changed(
        prefix + "circuitBreaker.openFor",
        Durations.format(a.circuitOpenFor()),
        Durations.format(b.circuitOpenFor()),
        changes);
    changed(
        prefix + "maxConcurrentRequests",
        a.maxConcurrentRequests(),
        b.maxConcurrentRequests(),
        changes);
    changed(
        prefix + "maxQueueTime",
        Durations.format(a.maxQueueTime()),
        Durations.format(b.maxQueueTime()),
        changes);
    changed(
        prefix + "requestsPerSecond",
        ConfigSection.plain(a.requestsPerSecond()),
        ConfigSection.plain(b.requestsPerSecond()),
        changes);
  }

  /** Names each rule kept by the change whose retention differs, with the old and new value. */
  private static void retention(
      Map<String, Rule> before, Map<String, Rule> after, List<String> parts) {
    List<String> changed = new ArrayList<>();
    after.forEach((name, rule) -> {
      Rule old = before.get(name);
      Retention was = old == null ? null : old.policy().retention();
      Retention now = rule.policy().retention();
      if (was != null && !was.equals(now)) {
        changed.add(
            name + " (" + ProxyConfig.describe(was) + " -> " + ProxyConfig.describe(now) + ")");
      }
    });
    if (!changed.isEmpty()) {
      parts.add("retention changed: " + String.join(", ", changed));
    }
  }

  /**
   * Adds {@code key changed from 50.0 GiB to 20.0 GiB}, with the exact bytes when the rounded sizes
   * read the same; 0 is {@code none}.
   */
  private static void sizeChanged(String key, long before, long after, List<String> changes) {
    if (before == after) {
      return;
    }
    String a = size(before);
    String b = size(after);
    if (a.equals(b)) {
      a += " (" + before + " bytes)";
      b += " (" + after + " bytes)";
    }
    changes.add(key + " changed from " + a + " to " + b);
  }

  private static String size(long bytes) {
    return bytes == 0 ? "none" : ByteSizes.format(bytes);
  }

  private static <T> Map<String, T> byName(List<T> values, Function<T, String> name) {
    Map<String, T> map = new LinkedHashMap<>();
    values.forEach(v -> map.put(name.apply(v), v));
    return map;
  }

  private static <T> void names(
      String what, Map<String, T> before, Map<String, T> after, List<String> parts) {
    List<String> added = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    after.forEach((name, value) -> {
      T old = before.get(name);
      if (old == null) {
        added.add(name);
      } else if (!old.equals(value)) {
        changed.add(name);
      }
    });
    List<String> removed =
        before.keySet().stream().filter(name -> !after.containsKey(name)).toList();
    if (!added.isEmpty()) {
      parts.add(what + "added: " + String.join(", ", added));
    }
    if (!removed.isEmpty()) {
      parts.add(what + "removed: " + String.join(", ", removed));
    }
    if (!changed.isEmpty()) {
      parts.add(what + "changed: " + String.join(", ", changed));
    }
  }

  private static void changed(String key, Object before, Object after, List<String> changes) {
    if (!Objects.equals(before, after)) {
      changes.add(key + " changed from " + before + " to " + after);
    }
  }

  private static Path absolute(Path path) {
    return path.toAbsolutePath().normalize();
  }

  /** The pre-warm jobs as comparable text (cron-utils' Cron has no value equality). */
  private static List<String> prewarmText(ProxyConfig config) {
    return config.prewarm().stream()
        .map(j ->
            j.name()
                + " "
                + j.schedule().asString()
                + " "
                + j.window()
                + " "
                + j.zone()
                + " "
                + j.images()
                + " "
                + j.platforms())
        .toList();
  }

  /**
   * The security settings a restart applies: the listeners' TLS, allowlists and limits, and the
   * auth mode and key files. Scope maps, users, admins and the token settings apply on reload.
   */
  private static void security(SecuritySettings a, SecuritySettings b, List<String> changes) {
    changed("tls", a.tls() == null ? "off" : a.tls(), b.tls() == null ? "off" : b.tls(), changes);
    changed("tls.required", a.tlsRequired(), b.tlsRequired(), changes);
    changed("server.allow", a.allow(), b.allow(), changes);
    changed("admin.allow", a.adminAllow(), b.adminAllow(), changes);
    changed("admin.tls", a.adminTls(), b.adminTls(), changes);
    changed("server limits", a.limits(), b.limits(), changes);
    changed("auth.mode", a.auth().mode().configName(), b.auth().mode().configName(), changes);
    changed(
        "auth.htpasswd",
        String.valueOf(a.auth().htpasswd()),
        String.valueOf(b.auth().htpasswd()),
        changes);
    changed(
        "auth.tokensFile",
        String.valueOf(a.auth().tokensFile()),
        String.valueOf(b.auth().tokensFile()),
        changes);
    changed(
        "auth.signingKey",
        String.valueOf(a.auth().signingKeyFile()),
        String.valueOf(b.auth().signingKeyFile()),
        changes);
  }
}
