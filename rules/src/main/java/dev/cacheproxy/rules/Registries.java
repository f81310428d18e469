/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.rules;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code registries:} list: how each upstream registry is reached, and which registries a
 * client may name with {@code ?ns=} (containerd sends it when it pulls through a mirror). A rule
 * whose source names a listed registry is reached at that entry's URL; a registry that is not
 * listed is reached over HTTPS at its own name, and cannot be named by {@code ns}.
 *
 * <p>Immutable and thread-safe.
 */
public final class Registries {

  /**
   * No registries: every rule is reached at its source's own address, and {@code ns} is refused.
   */
  public static final Registries NONE = new Registries(Map.of());

  private final Map<String, RegistryEntry> byHost;

  private Registries(Map<String, RegistryEntry> byHost) {
    this.byHost = byHost;
  }

  /**
   * The list; refuses two entries for one registry ({@code docker.io} and {@code index.docker.io}
   * are one).
   *
   * @throws InvalidRuleException naming the registry
   */
  public static Registries of(Collection<RegistryEntry> entries) {
    Map<String, RegistryEntry> byHost = new LinkedHashMap<>();
    for (RegistryEntry entry : entries) {
      if (entry == null) {
        throw new InvalidRuleException("registries: an entry is missing");
      }
      if (byHost.putIfAbsent(entry.registry().host(), entry) != null) {
        throw new InvalidRuleException(
            "registries: '" + entry.registry().host() + "' is listed twice");
      }
    }
    return new Registries(Collections.unmodifiableMap(byHost));
  }

  /** The entries, in the order they were given. */
  public List<RegistryEntry> entries() {
    return List.copyOf(byHost.values());
  }

  /**
   * The entry for a registry as a client names it ({@code ghcr.io}, {@code docker.io}, {@code
   * index.docker.io}, {@code 127.0.0.1:5001}), or empty when it is not listed or not a registry
   * name at all.
   */
  public Optional<RegistryEntry> find(String host) {
    if (host == null || host.isEmpty() || host.length() > 255) {
      return Optional.empty();
    }
    RegistryEntry entry = byHost.get(host.toLowerCase(Locale.ROOT));
    if (entry != null) {
      return Optional.of(entry);
    }
    try {
      return Optional.ofNullable(byHost.get(Registry.of(host).host()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** Whether no registry is listed. */
  public boolean isEmpty() {
    return byHost.isEmpty();
  }
}
