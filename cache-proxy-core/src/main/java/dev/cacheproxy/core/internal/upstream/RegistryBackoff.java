/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.UpstreamException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registries that asked the proxy to wait: after a {@code 429 Too Many Requests}, or a {@code
 * 503} with {@code Retry-After}, no call goes to that registry (by host, across repositories, for
 * tokens, manifests, tags and blobs) until the time it named. A 429 without {@code Retry-After}
 * waits {@link #DEFAULT_WAIT}; no wait is longer than {@link #MAX_WAIT}.
 *
 * <p>Concurrency: one concurrent map from host to the end of its back-off. A new back-off only ever
 * extends the current one (the later end wins), through an atomic {@code merge}; it is logged at
 * WARN once, when it starts, not for every answer that extends it. Ended back-offs are removed by
 * the next check that finds them over, so the map holds at most one entry per registry.
 */
final class RegistryBackoff {

  private static final Logger LOG = LoggerFactory.getLogger(RegistryBackoff.class);

  /** How long a 429 without {@code Retry-After} keeps calls away. */
  static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);

  /** The longest wait honoured, whatever the upstream asks for. */
  static final Duration MAX_WAIT = Duration.ofMinutes(10);

  private final Clock clock;
  private final ConcurrentMap<String, Instant> until = new ConcurrentHashMap<>();

  RegistryBackoff(Clock clock) {
    this.clock = clock;
  }

  /**
   * Throws when {@code registryHost} asked the proxy to wait and the time is not over yet.
   *
   * @param subject what the call is about, for the message
   * @throws UpstreamException TOOMANYREQUESTS carrying the time left as its retry-after, and the
   *     upstream status 0 (no request was made)
   */
  void check(String registryHost, String subject) {
    Instant end = until.get(registryHost);
    if (end == null) {
      return;
    }
    Instant now = clock.instant();
    if (!now.isBefore(end)) {
      until.remove(registryHost, end);
      return;
    }
    Duration left = Duration.between(now, end);
    throw RegistryGuards.notCalled(
        OciErrorCode.TOOMANYREQUESTS,
        subject,
        registryHost
            + " is rate limiting the proxy; it is not asked again until "
            + end.truncatedTo(ChronoUnit.SECONDS)
            + " (in "
            + seconds(left)
            + " s)",
        left);
  }

  /** When the back-off of {@code registryHost} ends, if one is running. */
  @Nullable Instant until(String registryHost) {
    Instant end = until.get(registryHost);
    return end != null && clock.instant().isBefore(end) ? end : null;
  }

  /**
   * Starts or extends the back-off of {@code registryHost} when {@code failure} is a 429, or a 503
   * with {@code Retry-After}; does nothing for any other failure.
   *
   * @return the exception to throw: {@code failure}, or a copy whose retry-after is the back-off's
   *     length when the upstream named none or more than {@link #MAX_WAIT}
   */
  UpstreamException record(String registryHost, UpstreamException failure) {
    Duration wait = waitFor(failure.upstreamStatus(), failure.retryAfter().orElse(null));
    if (wait == null) {
      return failure;
    }
    Instant now = clock.instant();
    Instant end = now.plus(wait);
    Instant[] before = new Instant[1];
    until.compute(
        registryHost,
        (host, current) -> {
          before[0] = current;
          return current != null && current.isAfter(end) ? current : end;
        });
    if (before[0] == null || !now.isBefore(before[0])) {
      LOG.warn(
          "{} answered HTTP {}; no calls to it until {} ({} s): cached content is served, the rest"
              + " gets 429 TOOMANYREQUESTS",
          registryHost,
          failure.upstreamStatus(),
          end.truncatedTo(ChronoUnit.SECONDS),
          seconds(wait));
    }
    if (failure.retryAfter().filter(wait::equals).isPresent()) {
      return failure;
    }
    return new UpstreamException(
        failure.code(),
        Objects.requireNonNullElse(failure.getMessage(), failure.code().description()),
        failure.upstreamStatus(),
        wait,
        failure.getCause());
  }

  /** How long to keep calls away after an answer of {@code status}, or null for not at all. */
  static @Nullable Duration waitFor(int status, @Nullable Duration retryAfter) {
    Duration wait;
    if (status == 429) {
      wait = retryAfter == null ? DEFAULT_WAIT : retryAfter;
    } else if (status == 503 && retryAfter != null) {
      wait = retryAfter;
    } else {
      return null;
    }
    if (wait.isNegative() || wait.isZero()) {
      return null;
    }
    return wait.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait;
  }

  private static long seconds(Duration d) {
    return (Math.max(0, d.toMillis()) + 999) / 1000;
  }
}
