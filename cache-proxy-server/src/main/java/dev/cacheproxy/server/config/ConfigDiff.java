/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.config;

import dev.cacheproxy.core.UpstreamSettings;
import dev.cacheproxy.rules.Rule;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * What changed between two configurations, in words for the log: which rules and credential sets
 * were added, removed or changed, and which settings only a restart applies.
 */
final class ConfigDiff {

  private ConfigDiff() {}

  /**
   * The rules and credential sets that differ, such as {@code added: a, b; changed: c; credential
   * sets changed: hub}, or {@code no rule changes}. Names only, never a secret.
   */
  static String describe(ProxyConfig before, ProxyConfig after) {
    List<String> parts = new ArrayList<>();
    names(
        "",
        byName(before.rules().rules(), Rule::name),
        byName(after.rules().rules(), Rule::name),
        parts);
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
    if (changes.isEmpty() && !a.equals(b)) {
      changes.add("upstream settings changed");
    }
    return changes;
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
}
