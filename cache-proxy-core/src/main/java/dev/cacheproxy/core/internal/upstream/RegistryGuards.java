/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.ProxyException;
import dev.cacheproxy.core.UpstreamException;
import dev.cacheproxy.core.UpstreamResilience;
import dev.cacheproxy.core.UpstreamSettings;
import dev.cacheproxy.core.events.CacheEvent;
import dev.cacheproxy.core.events.CacheEventListener;
import dev.cacheproxy.core.internal.events.EventDispatcher;
import dev.cacheproxy.rules.Registry;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Resilience4j parts that protect each upstream registry (see {@link UpstreamResilience}): a
 * retry for metadata calls, a bulkhead and an optional rate limiter per registry, and a circuit
 * breaker per endpoint, created on first use from the registry's settings.
 *
 * <p>Thread-safe: the parts are thread-safe and are created once per registry and endpoint through
 * {@code computeIfAbsent}.
 */
final class RegistryGuards {

  private static final Logger LOG = LoggerFactory.getLogger(RegistryGuards.class);

  /** Trial calls an open circuit lets through once its wait is over. */
  static final int HALF_OPEN_CALLS = 3;

  private final UpstreamSettings settings;
  private final Clock clock;
  private final UpstreamMetrics metrics;
  private final CacheEventListener events;
  private final ConcurrentMap<String, Guard> byHost = new ConcurrentHashMap<>();

  RegistryGuards(UpstreamSettings settings, Clock clock) {
    this(settings, clock, UpstreamMetrics.none());
  }

  RegistryGuards(UpstreamSettings settings, Clock clock, UpstreamMetrics metrics) {
    this(settings, clock, metrics, EventDispatcher.NONE);
  }

  /**
   * Guards whose bulkheads and circuits are reported as gauges, and whose refusals (bulkhead, rate
   * limit) are counted, in {@code metrics}, and whose circuits report opening and closing again to
   * {@code events} ({@code upstream.unhealthy}, {@code upstream.healthy}).
   */
  RegistryGuards(
      UpstreamSettings settings, Clock clock, UpstreamMetrics metrics, CacheEventListener events) {
    this.settings = settings;
    this.clock = clock;
    this.metrics = metrics;
    this.events = events;
  }

  /** The guard of {@code registry}, created on first use. */
  Guard of(Registry registry) {
    Guard guard =
        byHost.computeIfAbsent(
            registry.host(),
            h -> new Guard(registry, settings.resilienceFor(h), clock, metrics, events));
    guard.registry = registry;
    return guard;
  }

  /** The guards created so far, by registry host. */
  List<Guard> all() {
    return List.copyOf(byHost.values());
  }

  /**
   * Runs a metadata call with the registry's retry: an UNAVAILABLE failure of a call that was made
   * is tried again after a growing, jittered wait.
   */
  <T> T withRetry(Registry registry, Supplier<T> call) {
    return of(registry).retry.executeSupplier(call);
  }

  /**
   * Whether {@code e} means the upstream (or the way to it) failed: it counts against a circuit.
   */
  static boolean isFailure(Throwable e) {
    return e instanceof UpstreamException u
        && u.code() == OciErrorCode.UNAVAILABLE
        && !(u.getCause() instanceof NotCalled);
  }

  /** Whether a metadata call that failed with {@code e} is tried again. */
  static boolean isRetryable(Throwable e) {
    return isFailure(e) && ((UpstreamException) e).retryAfter().isEmpty();
  }

  /** What protects one registry. */
  static final class Guard {
    private final String host;
    // The latest way the registry is reached: a rules reload may change its endpoints.
    private volatile Registry registry;
    private final UpstreamResilience config;
    private final Clock clock;
    private final UpstreamMetrics metrics;
    private final CacheEventListener events;
    private final Retry retry;
    private final Bulkhead bulkhead;
    private final @Nullable RateLimiter limiter;
    private final CircuitBreakerConfig breakerConfig;
    private final ConcurrentMap<URI, Breaker> breakers = new ConcurrentHashMap<>();

    Guard(
        Registry registry,
        UpstreamResilience config,
        Clock clock,
        UpstreamMetrics metrics,
        CacheEventListener events) {
      String host = registry.host();
      this.events = events;
      this.host = host;
      this.registry = registry;
      this.config = config;
      this.clock = clock;
      this.metrics = metrics;
      this.retry =
          Retry.of(
              host,
              RetryConfig.custom()
                  .maxAttempts(config.retryAttempts())
                  .intervalFunction(
                      IntervalFunction.ofExponentialRandomBackoff(
                          config.retryBackoff(), 2.0, 0.5, config.retryMaxBackoff()))
                  .retryOnException(RegistryGuards::isRetryable)
                  .build());
      retry
          .getEventPublisher()
          .onRetry(e ->
              LOG.info(
                  "{}: try {} of {} in {} ms after {}",
                  host,
                  e.getNumberOfRetryAttempts() + 1,
                  config.retryAttempts(),
                  e.getWaitInterval().toMillis(),
                  e.getLastThrowable() == null ? "?" : e.getLastThrowable().getMessage()));
      this.bulkhead =
          Bulkhead.of(
              host,
              BulkheadConfig.custom()
                  .maxConcurrentCalls(config.maxConcurrentRequests())
                  .maxWaitDuration(config.maxQueueTime())
                  .writableStackTraceEnabled(false)
                  .build());
      metrics.bulkhead(host, bulkhead);
      this.limiter = config.requestsPerSecond() > 0 ? rateLimiter(host, config) : null;
      this.breakerConfig =
          CircuitBreakerConfig.custom()
              .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
              .slidingWindowSize(config.circuitWindow())
              .minimumNumberOfCalls(config.circuitMinimumCalls())
              .failureRateThreshold(config.circuitFailureRate())
              .waitDurationInOpenState(config.circuitOpenFor())
              .permittedNumberOfCallsInHalfOpenState(HALF_OPEN_CALLS)
              .recordException(RegistryGuards::isFailure)
              .clock(clock)
              .writableStackTraceEnabled(false)
              .build();
    }

    private static RateLimiter rateLimiter(String host, UpstreamResilience config) {
      double perSecond = config.requestsPerSecond();
      int perPeriod;
      Duration period;
      if (perSecond >= 1) {
        perPeriod = (int) Math.round(perSecond);
        period = Duration.ofSeconds(1);
      } else {
        perPeriod = 1;
        period = Duration.ofNanos(Math.round(1e9 / perSecond));
      }
      return RateLimiter.of(
          host,
          RateLimiterConfig.custom()
              .limitForPeriod(perPeriod)
              .limitRefreshPeriod(period)
              .timeoutDuration(config.maxQueueTime())
              .writableStackTraceEnabled(false)
              .build());
    }

    /** The registry host. */
    String host() {
      return host;
    }

    /** The registry, as last called. */
    Registry registry() {
      return registry;
    }

    /** The settings. */
    UpstreamResilience config() {
      return config;
    }

    /**
     * Takes a place in the rate limit and the bulkhead, waiting at most {@link
     * UpstreamResilience#maxQueueTime()} for each; release it when the call's response is done.
     *
     * @throws UpstreamException TOOMANYREQUESTS, without a call, when no place came free in time
     */
    Permit enter(String subject) {
      if (limiter != null && !limiter.acquirePermission()) {
        metrics.refused(host, UpstreamMetrics.Refusal.RATELIMIT);
        throw notCalled(
            OciErrorCode.TOOMANYREQUESTS,
            subject,
            "the proxy's own limit of "
                + config.requestsPerSecond()
                + " requests per second to "
                + host
                + " is used up (requestsPerSecond)",
            Duration.ofSeconds(1));
      }
      if (!bulkhead.tryAcquirePermission()) {
        metrics.refused(host, UpstreamMetrics.Refusal.BULKHEAD);
        throw notCalled(
            OciErrorCode.TOOMANYREQUESTS,
            subject,
            config.maxConcurrentRequests()
                + " calls to "
                + host
                + " are already open (maxConcurrentRequests), and none ended within "
                + config.maxQueueTime().toMillis()
                + " ms",
            Duration.ofSeconds(1));
      }
      return new Permit(bulkhead);
    }

    /** The circuit breaker of one of the registry's endpoints, created on first use. */
    Breaker breaker(URI endpoint) {
      return breakers.computeIfAbsent(
          endpoint,
          e -> {
            Breaker created = new Breaker(host, e, breakerConfig, clock, events);
            metrics.circuit(host, e, created.circuit());
            return created;
          });
    }

    /**
     * The breakers of the registry's current endpoints in the order they are tried, then those of
     * endpoints it no longer lists that were called.
     */
    List<Breaker> breakers() {
      List<Breaker> ordered = new ArrayList<>();
      for (URI endpoint : registry.endpoints()) {
        ordered.add(breaker(endpoint));
      }
      for (Breaker b : breakers.values()) {
        if (!ordered.contains(b)) {
          ordered.add(b);
        }
      }
      return ordered;
    }

    /** The bulkhead's free places. */
    int freePlaces() {
      return bulkhead.getMetrics().getAvailableConcurrentCalls();
    }
  }

  /** A place in a registry's bulkhead, given back once. */
  static final class Permit {
    private final Bulkhead bulkhead;
    private final AtomicBoolean released = new AtomicBoolean();

    Permit(Bulkhead bulkhead) {
      this.bulkhead = bulkhead;
    }

    /** Gives the place back; calls after the first do nothing. */
    void release() {
      if (released.compareAndSet(false, true)) {
        bulkhead.onComplete();
      }
    }
  }

  /** The circuit breaker of one endpoint, with the time it last opened. */
  static final class Breaker {
    private final URI endpoint;
    private final CircuitBreaker breaker;
    private final Clock clock;
    private volatile @Nullable Instant openedAt;

    Breaker(
        String host,
        URI endpoint,
        CircuitBreakerConfig config,
        Clock clock,
        CacheEventListener events) {
      this.endpoint = endpoint;
      this.clock = clock;
      this.breaker = CircuitBreaker.of(host + " " + endpoint, config);
      breaker
          .getEventPublisher()
          .onStateTransition(e -> {
            CircuitBreaker.State to = e.getStateTransition().getToState();
            if (to == CircuitBreaker.State.OPEN) {
              openedAt = clock.instant();
              CircuitBreaker.Metrics m = breaker.getMetrics();
              LOG.warn(
                  "{} ({}) is failing ({} of the last {} calls): circuit open, not called for"
                      + " {} s; cached content is served",
                  host,
                  Responses.redacted(endpoint),
                  m.getNumberOfFailedCalls(),
                  m.getNumberOfBufferedCalls(),
                  config.getWaitIntervalFunctionInOpenState().apply(1) / 1000);
              // Re-opening after failed trial calls is the same outage: no second event.
              if (e.getStateTransition().getFromState() != CircuitBreaker.State.HALF_OPEN) {
                EventDispatcher.emit(
                    events,
                    new CacheEvent.UpstreamUnhealthy(
                        clock.instant(), host, redactedUri(endpoint), to.name()));
              }
            } else if (to == CircuitBreaker.State.CLOSED) {
              openedAt = null;
              LOG.info("{} ({}) answers again: circuit closed", host, Responses.redacted(endpoint));
              EventDispatcher.emit(
                  events,
                  new CacheEvent.UpstreamHealthy(
                      clock.instant(), host, redactedUri(endpoint), to.name()));
            } else {
              LOG.info("{} ({}): circuit {}", host, Responses.redacted(endpoint), to.toString());
            }
          });
    }

    /** The endpoint. */
    URI endpoint() {
      return endpoint;
    }

    /** The Resilience4j breaker. */
    CircuitBreaker circuit() {
      return breaker;
    }

    /** When the circuit last opened, while it is not closed again. */
    @Nullable Instant openedAt() {
      return openedAt;
    }

    /** Whether a call may go to the endpoint now. */
    boolean tryEnter() {
      return breaker.tryAcquirePermission();
    }

    /** Records the outcome of a call that was let through; {@code failure} null for success. */
    void record(long startNanos, @Nullable Throwable failure) {
      long took = System.nanoTime() - startNanos;
      if (failure == null) {
        breaker.onSuccess(took, TimeUnit.NANOSECONDS);
      } else {
        breaker.onError(took, TimeUnit.NANOSECONDS, failure);
      }
    }

    /**
     * The failure of a call refused by the open circuit: UNAVAILABLE, with the time until trial
     * calls as its retry-after.
     */
    UpstreamException refused(String subject, String label) {
      Instant opened = openedAt;
      Duration openFor =
          Duration.ofMillis(
              breaker.getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState().apply(1));
      Duration left =
          opened == null ? openFor : openFor.minus(Duration.between(opened, clock.instant()));
      if (left.compareTo(Duration.ofSeconds(1)) < 0) {
        left = Duration.ofSeconds(1);
      }
      return notCalled(
          OciErrorCode.UNAVAILABLE,
          subject,
          label
              + " failed too often and is not called for now (circuit open; trial calls in "
              + (left.toMillis() + 999) / 1000
              + " s)",
          left);
    }
  }

  /** The endpoint without user information, for events. */
  private static URI redactedUri(URI endpoint) {
    try {
      return URI.create(Responses.redacted(endpoint));
    } catch (IllegalArgumentException e) {
      return endpoint;
    }
  }

  /** An exception for a call that was not made; never retried, never a circuit failure. */
  static UpstreamException notCalled(
      OciErrorCode code, String subject, String why, @Nullable Duration retryAfter) {
    return new UpstreamException(code, subject + ": " + why, 0, retryAfter, new NotCalled(why));
  }

  /** Whether {@code e} failed without a call to the upstream. */
  static boolean notCalled(ProxyException e) {
    return e.getCause() instanceof NotCalled;
  }
}
