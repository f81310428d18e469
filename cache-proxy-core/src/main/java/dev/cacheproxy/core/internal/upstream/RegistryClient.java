/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.DigestMismatchException;
import dev.cacheproxy.core.NotFoundException;
import dev.cacheproxy.core.ProxyException;
import dev.cacheproxy.core.Reference;
import dev.cacheproxy.core.UpstreamException;
import dev.cacheproxy.core.UpstreamSettings;
import dev.cacheproxy.core.spi.Credentials;
import dev.cacheproxy.rules.Registry;
import dev.cacheproxy.rules.RepositoryName;
import java.io.Closeable;
import java.time.Clock;
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
 * <p>Thread-safe: one instance serves all registries and all threads. Authentication state (which
 * scheme each registry asked for, cached tokens) is shared; redirects never carry {@code
 * Authorization} to another origin.
 */
public final class RegistryClient implements Closeable {

  private final CloseableHttpClient http;
  private final ManifestPuller manifests;
  private final BlobPuller blobs;
  private final TagLister tags;

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

  /** Creates a client reading time from {@code ticker} (token expiry) and {@code clock}. */
  RegistryClient(UpstreamSettings settings, Ticker ticker, Clock clock) {
    this.http = UpstreamHttpClient.create(settings);
    RedirectingSender sender = new RedirectingSender(http);
    UpstreamErrors errors = new UpstreamErrors(clock);
    Authenticator authenticator = new Authenticator(new TokenFetcher(sender, errors), ticker);
    RegistryEndpointCaller caller =
        new RegistryEndpointCaller(sender, authenticator, errors, new RegistryBackoff(clock));
    this.manifests = new ManifestPuller(caller);
    this.blobs = new BlobPuller(caller);
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
    return manifests.get(registry, repository, reference, accept, credentials);
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
    return manifests.head(registry, repository, reference, accept, credentials);
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
    return blobs.head(registry, repository, digest, credentials);
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
    return tags.list(registry, repository, n, last, credentials);
  }

  /** Closes the connection pool; blobs still open are cut off. */
  @Override
  public void close() {
    http.close(CloseMode.GRACEFUL);
  }
}
