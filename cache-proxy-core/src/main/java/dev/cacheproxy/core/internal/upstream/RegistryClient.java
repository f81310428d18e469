/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.DigestMismatchException;
import dev.cacheproxy.core.NotFoundException;
import dev.cacheproxy.core.ProxyException;
import dev.cacheproxy.core.Reference;
import dev.cacheproxy.core.UpstreamException;
import dev.cacheproxy.core.UpstreamHealth;
import dev.cacheproxy.core.UpstreamSettings;
import dev.cacheproxy.core.events.CacheEventListener;
import dev.cacheproxy.core.internal.events.EventDispatcher;
import dev.cacheproxy.core.spi.Credentials;
import dev.cacheproxy.rules.Registry;
import dev.cacheproxy.rules.RepositoryName;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.Closeable;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.io.CloseMode;
import org.jspecify.annotations.Nullable;

/**
 * A client for the OCI distribution API of upstream registries: manifests, blobs and tag lists,
 * with the Docker token flow, pooled connections and timeouts (see {@link UpstreamHttpClient}).
 *
 * <p>Every method throws unchecked {@link ProxyException}s, never {@code IOException}: {@link
 * NotFoundException} for a 404, {@link UpstreamException} for refusals (DENIED), rate limits
 * (TOOMANYREQUESTS, with {@code Retry-After}; see below), failures (UNAVAILABLE for 5xx and for
 * upstreams that cannot be reached, with status 0) and other answers (UNKNOWN), and {@link
 * DigestMismatchException} for manifests that do not hash to their digest. Only the body of an
 * {@link UpstreamBlob} throws {@code IOException}, as streams do.
 *
 * <p>A registry that answers 429, or 503 with {@code Retry-After}, to any call (token, manifest,
 * tags, blob) is left alone until the time it named (10 s for a 429 without one, at most 10 min):
 * meanwhile every call for it fails at once, without a request, with TOOMANYREQUESTS whose {@link
 * UpstreamException#retryAfter()} is the time left.
 *
 * <p>Each registry is protected as {@link dev.cacheproxy.core.UpstreamResilience} describes:
 * metadata calls (manifests, blob {@code HEAD}, tag lists, with their token requests) are retried
 * after UNAVAILABLE failures, every call passes the registry's rate limit and bulkhead, and each
 * endpoint has a circuit breaker; a registry with several endpoints fails over in order.
 *
 * <p>Thread-safe: one instance serves all registries and all threads. Authentication state (which
 * scheme each registry asked for, cached tokens) is shared; redirects never carry {@code
 * Authorization} to another origin.
 */
public final class RegistryClient implements Closeable {

  private final CloseableHttpClient http;
  private final ManifestPuller manifests;
  private final BlobPuller blobs;
  private final TagLister tags;
  private final RegistryBackoff backoff;
  private final RegistryGuards guards;
  private final UpstreamMetrics metrics;

  /** Creates a client with its own connection pool; close it to release the pool. */
  public RegistryClient(UpstreamSettings settings) {
    this(settings, Clock.systemUTC());
  }

  /**
   * Creates a client that reads {@code Retry-After} dates and times back-offs with {@code clock};
   * close it to release the pool.
   */
  public RegistryClient(UpstreamSettings settings, Clock clock) {
    this(settings, Ticker.systemTicker(), clock);
  }

  /**
   * Creates a client as {@link #RegistryClient(UpstreamSettings, Clock)} that records its calls in
   * {@code meters}: {@code cacheproxy.upstream.requests} (a timer by registry, method and status),
   * {@code .refused} (by registry and reason), {@code .bytes} (blob bytes by registry), and the
   * gauges {@code .circuit.state} (by registry and endpoint) and {@code .open.calls}, which {@link
   * #close()} removes.
   */
  public RegistryClient(UpstreamSettings settings, Clock clock, MeterRegistry meters) {
    this(settings, clock, meters, EventDispatcher.NONE);
  }

  /**
   * Creates a client as {@link #RegistryClient(UpstreamSettings, Clock, MeterRegistry)} whose
   * circuit breakers report opening ({@code upstream.unhealthy}) and closing again ({@code
   * upstream.healthy}) to {@code events}.
   */
  public RegistryClient(
      UpstreamSettings settings, Clock clock, MeterRegistry meters, CacheEventListener events) {
    this(settings, Ticker.systemTicker(), clock, new UpstreamMetrics(meters), events);
  }

  /** Creates a client reading time from {@code ticker} (token expiry) and {@code clock}. */
  RegistryClient(UpstreamSettings settings, Ticker ticker, Clock clock) {
    this(settings, ticker, clock, UpstreamMetrics.none(), EventDispatcher.NONE);
  }

  private RegistryClient(
      UpstreamSettings settings,
      Ticker ticker,
      Clock clock,
      UpstreamMetrics metrics,
      CacheEventListener events) {
    this.metrics = metrics;
    this.http = UpstreamHttpClient.create(settings);
    RedirectingSender sender = new RedirectingSender(http, metrics);
    UpstreamErrors errors = new UpstreamErrors(clock);
    Authenticator authenticator = new Authenticator(new TokenFetcher(sender, errors), ticker);
    this.backoff = new RegistryBackoff(clock);
    this.guards = new RegistryGuards(settings, clock, metrics, events);
    RegistryEndpointCaller caller =
        new RegistryEndpointCaller(sender, authenticator, errors, backoff, guards, metrics);
    this.manifests = new ManifestPuller(caller);
    this.blobs = new BlobPuller(caller, metrics);
    this.tags = new TagLister(caller);
  }

  /**
   * Fetches a manifest, at most {@link dev.cacheproxy.core.Manifest#MAX_SIZE} bytes, checked
   * against {@code reference} when it is a digest and against {@code Docker-Content-Digest}.
   *
   * @param accept the media types to ask for; empty for the OCI and Docker image manifest and index
   *     types
   * @param credentials the rule's credentials, or null to pull anonymously
   * @throws ProxyException MANIFEST_INVALID for a manifest that is too large, a
   *     DigestMismatchException (UNAVAILABLE) ({@link DigestMismatchException}) when the content
   *     does not match, and the others above
   */
  public UpstreamManifest getManifest(
      Registry registry,
      RepositoryName repository,
      Reference reference,
      List<String> accept,
      @Nullable Credentials credentials) {
    return guards.withRetry(
        registry, () -> manifests.get(registry, repository, reference, accept, credentials));
  }

  /**
   * Asks for a manifest's digest, media type and size without its content.
   *
   * @param accept as for {@link #getManifest}
   * @param credentials the rule's credentials, or null
   */
  public ManifestHead headManifest(
      Registry registry,
      RepositoryName repository,
      Reference reference,
      List<String> accept,
      @Nullable Credentials credentials) {
    return guards.withRetry(
        registry, () -> manifests.head(registry, repository, reference, accept, credentials));
  }

  /**
   * Opens a blob, from {@code offset} on when it is positive; the caller must close the result. The
   * upstream may ignore the range and send the whole blob: check {@link UpstreamBlob#offset()}. The
   * body streams from the socket and throws {@code IOException} when it stalls for longer than the
   * idle timeout.
   *
   * @param offset the first byte wanted; 0 for the whole blob
   * @param credentials the rule's credentials, or null
   * @throws ProxyException RANGE_INVALID when the upstream refuses the range (416), and the others
   *     above
   */
  public UpstreamBlob getBlob(
      Registry registry,
      RepositoryName repository,
      Digest digest,
      long offset,
      @Nullable Credentials credentials) {
    return blobs.get(registry, repository, digest, offset, credentials);
  }

  /**
   * Requests a blob from {@code offset} to resume a download, only if it still has the strong
   * entity tag {@code ifRange} (sent as {@code If-Range}; null, a weak tag or offset 0 send none).
   *
   * @param credentials the rule's credentials, or null
   */
  public UpstreamBlob getBlob(
      Registry registry,
      RepositoryName repository,
      Digest digest,
      long offset,
      @Nullable String ifRange,
      @Nullable Credentials credentials) {
    return blobs.get(registry, repository, digest, offset, ifRange, credentials);
  }

  /**
   * Asks for a blob's size.
   *
   * @param credentials the rule's credentials, or null
   * @return the {@code Content-Length} the upstream sent, or -1 if it sent none
   */
  public long headBlob(
      Registry registry,
      RepositoryName repository,
      Digest digest,
      @Nullable Credentials credentials) {
    return guards.withRetry(registry, () -> blobs.head(registry, repository, digest, credentials));
  }

  /**
   * Fetches one page of a repository's tags.
   *
   * @param n the page size to ask for; 0 or less to send no {@code n} and take the upstream's
   *     default
   * @param last the last tag of the previous page, or null for the first page
   * @param credentials the rule's credentials, or null
   */
  public TagPage listTags(
      Registry registry,
      RepositoryName repository,
      int n,
      @Nullable String last,
      @Nullable Credentials credentials) {
    return guards.withRetry(registry, () -> tags.list(registry, repository, n, last, credentials));
  }

  /**
   * Whether {@code e} failed without a request to the upstream: the registry asked the proxy to
   * wait, its circuit is open, or its bulkhead or rate limit is full.
   */
  public static boolean notCalled(ProxyException e) {
    return RegistryGuards.notCalled(e);
  }

  /** The health of every registry called since start, ordered by host. */
  public List<UpstreamHealth> health() {
    List<UpstreamHealth> all = new ArrayList<>();
    for (RegistryGuards.Guard guard : guards.all()) {
      List<UpstreamHealth.Endpoint> endpoints = new ArrayList<>();
      List<RegistryGuards.Breaker> breakers = guard.breakers();
      for (RegistryGuards.Breaker b : breakers) {
        CircuitBreaker.Metrics m = b.circuit().getMetrics();
        String label = RegistryEndpointCaller.label(guard.registry(), b.endpoint());
        endpoints.add(
            new UpstreamHealth.Endpoint(
                b.endpoint(),
                switch (b.circuit().getState()) {
                  case OPEN, FORCED_OPEN, METRICS_ONLY -> UpstreamHealth.Circuit.OPEN;
                  case HALF_OPEN -> UpstreamHealth.Circuit.HALF_OPEN;
                  default -> UpstreamHealth.Circuit.CLOSED;
                },
                m.getFailureRate(),
                m.getNumberOfBufferedCalls(),
                m.getNumberOfFailedCalls(),
                backedOffUntil(guard.host(), label)));
      }
      int max = guard.config().maxConcurrentRequests();
      all.add(new UpstreamHealth(guard.host(), endpoints, max - guard.freePlaces(), max, 0));
    }
    all.sort(Comparator.comparing(UpstreamHealth::registry));
    return all;
  }

  private @Nullable Instant backedOffUntil(String host, String label) {
    Instant end = backoff.until(label);
    return end != null ? end : backoff.until(host);
  }

  /**
   * Closes the connection pool (blobs still open are cut off) and removes the client's gauges from
   * its meter registry.
   */
  @Override
  public void close() {
    try {
      http.close(CloseMode.GRACEFUL);
    } finally {
      metrics.close();
    }
  }
}
