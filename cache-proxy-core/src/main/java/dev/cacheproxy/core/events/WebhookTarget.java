/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.events;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Where to POST {@link CacheEvent}s as JSON, given to {@link
 * dev.cacheproxy.core.CacheProxy.Builder#webhooks(java.util.List)}.
 *
 * <p>Each target gets its events in order from a bounded queue of its own; a delivery that fails
 * (no answer, or a status other than 2xx) is tried again with an exponential backoff, up to {@code
 * maxAttempts} attempts in all. {@link #toString()} never shows the secret.
 *
 * @param url the {@code http} or {@code https} URL to POST to
 * @param secret the key each body is signed with ({@code X-CacheProxy-Signature: sha256=<hex
 *     HMAC-SHA256>}), or null to send unsigned
 * @param events the {@link CacheEvent#type()}s to send; empty for all
 * @param maxAttempts how many times one event is tried, 1 to 100
 */
public record WebhookTarget(URI url, @Nullable String secret, Set<String> events, int maxAttempts) {

  /** The attempts per event when the configuration names none. */
  public static final int DEFAULT_MAX_ATTEMPTS = 8;

  /** The most attempts per event. */
  public static final int MAX_ATTEMPTS_LIMIT = 100;

  /**
   * Checks the target: an absolute http or https URL with a host, known event types, and {@code
   * maxAttempts} from 1 to {@value #MAX_ATTEMPTS_LIMIT}.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public WebhookTarget {
    Objects.requireNonNull(url, "url");
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException(
          "webhook url must be an http or https URL, not '" + url + "'");
    }
    if (url.getHost() == null || url.getHost().isEmpty()) {
      throw new IllegalArgumentException("webhook url '" + url + "' has no host");
    }
    if (secret != null && secret.isEmpty()) {
      throw new IllegalArgumentException("webhook secret of " + url + " must not be empty");
    }
    events = Set.copyOf(events);
    for (String type : events) {
      if (!CacheEvent.TYPES.contains(type)) {
        throw new IllegalArgumentException(
            "unknown webhook event type '"
                + type
                + "' for "
                + url
                + " (known: "
                + String.join(", ", new TreeSet<>(CacheEvent.TYPES))
                + ")");
      }
    }
    if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS_LIMIT) {
      throw new IllegalArgumentException(
          "webhook maxAttempts of "
              + url
              + " must be from 1 to "
              + MAX_ATTEMPTS_LIMIT
              + ", not "
              + maxAttempts);
    }
  }

  /** A target for every event, unsigned, with {@value #DEFAULT_MAX_ATTEMPTS} attempts per event. */
  public static WebhookTarget of(URI url) {
    return new WebhookTarget(url, null, Set.of(), DEFAULT_MAX_ATTEMPTS);
  }

  /** Whether events of {@code type} go to this target. */
  public boolean accepts(String type) {
    return events.isEmpty() || events.contains(type);
  }

  /**
   * The target's {@code host:port} (the default port of its scheme when the URL names none), the
   * {@code target} tag of its meters.
   */
  public String hostAndPort() {
    int port = url.getPort();
    if (port < 0) {
      port = "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
    }
    return url.getHost() + ":" + port;
  }

  /** The URL, events and attempts; the secret shows only as set or not. */
  @Override
  public String toString() {
    return "WebhookTarget[url="
        + url
        + ", secret="
        + (secret == null ? "none" : "***")
        + ", events="
        + new TreeSet<>(events)
        + ", maxAttempts="
        + maxAttempts
        + "]";
  }
}
