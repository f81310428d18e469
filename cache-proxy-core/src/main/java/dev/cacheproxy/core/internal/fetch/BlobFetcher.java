/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.fetch;

import dev.cacheproxy.core.BlobStream;
import dev.cacheproxy.core.CacheStatus;
import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.ProxyException;
import dev.cacheproxy.core.StorageException;
import dev.cacheproxy.core.UpstreamException;
import dev.cacheproxy.core.internal.evict.BlobLeases;
import dev.cacheproxy.core.internal.evict.BlobLeases.Lease;
import dev.cacheproxy.core.internal.upstream.UpstreamBlob;
import dev.cacheproxy.core.spi.BlobStore;
import dev.cacheproxy.core.spi.StoredBlob;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.Closeable;
import java.io.IOException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Opens blobs from the store, fetching each missing one from its upstream exactly once however many
 * clients ask for it at the same time (single flight). Clients of a fill read its bytes from the
 * growing temporary file as they arrive, and the fill goes on when they leave.
 *
 * <p>When the store cannot take a blob (the disk is full, a write or the final rename fails), the
 * clients of that fill still get it: readers that were reading go on from the upstream at their
 * position, and requests that were waiting for the fill's headers get a {@link
 * PassThroughBlobStream} that reads the upstream from the start. Both check the digest before they
 * release the last byte. Nothing of the failed fill stays in the store, and {@code
 * onStorageFailure} runs so that room can be made; the next request starts a normal fill.
 *
 * <p>Concurrency: {@code fills} maps each digest to at most one fill in flight. Whoever puts a new
 * fill there (by {@code putIfAbsent}) starts it; everyone else joins it. A fill's task removes it
 * from the map after the blob is in the store and the fill says COMMITTED, or after the temporary
 * file is deleted but before the fill says FAILED or BYPASSED; so whoever sees a fill fail or be
 * bypassed can start a new one, and whoever finds no fill either finds the blob in the store or
 * must fetch it. The one gap (a fill commits and leaves between our store lookup and our {@code
 * putIfAbsent}) is closed by a second store lookup before a new fill starts. A pass-through shares
 * nothing with other requests: it is never in {@code fills}, so it cannot hold up a later fill.
 */
public final class BlobFetcher implements Closeable {

  /** Opens a blob at the upstream. */
  @FunctionalInterface
  public interface BlobSource {

    /**
     * Requests the blob from {@code offset}.
     *
     * @throws IOException if the upstream cannot be reached or the connection breaks
     * @throws ProxyException for an upstream error answer, e.g. {@code NotFoundException}
     */
    UpstreamBlob open(long offset) throws IOException;

    /**
     * Requests the blob from {@code offset} to resume a download, only if it still has the entity
     * tag {@code ifRange} (sent as {@code If-Range}; null to send none). The default ignores {@code
     * ifRange}: the fill compares the answer's {@link UpstreamBlob#etag()} anyway.
     *
     * @throws IOException if the upstream cannot be reached or the connection breaks
     * @throws ProxyException for an upstream error answer
     */
    default UpstreamBlob open(long offset, @Nullable String ifRange) throws IOException {
      return open(offset);
    }
  }

  /** Told of each fill that committed its blob to the store. */
  @FunctionalInterface
  public interface FillListener {

    /** A listener that does nothing. */
    FillListener NONE = (digest, size, source) -> {};

    /**
     * Called on the fill's thread once {@code digest} ({@code size} bytes), fetched from {@code
     * source}, is in the store; must not block.
     */
    void committed(Digest digest, long size, BlobSource source);
  }

  private final BlobStore store;
  private final Executor fillExecutor;
  private final BlobLeases leases;
  private final Runnable onStorageFailure;
  private final int resumeAttempts;
  private final ResumeBackoff backoff;
  private final FillMetrics metrics;
  private final FillListener fillListener;
  private final AtomicLong resumes = new AtomicLong();
  private final ConcurrentMap<Digest, Fill> fills = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * Creates a fetcher over {@code store} that runs each fill as a task on {@code fillExecutor}
   * (virtual threads in production: a fill blocks on the upstream for as long as it takes).
   */
  public BlobFetcher(BlobStore store, Executor fillExecutor) {
    this(store, fillExecutor, BlobLeases.NONE, () -> {});
  }

  /**
   * Creates a fetcher whose streams and fills hold {@code leases} on their blobs while open, and
   * that calls {@code onStorageFailure} when the store fails to take a blob (for example when the
   * disk is full), so that room can be made.
   */
  public BlobFetcher(
      BlobStore store, Executor fillExecutor, BlobLeases leases, Runnable onStorageFailure) {
    this(store, fillExecutor, leases, onStorageFailure, 0);
  }

  /**
   * Creates a fetcher as {@link #BlobFetcher(BlobStore, Executor, BlobLeases, Runnable)} whose
   * fills resume a broken upstream download with a ranged request from the last byte written, up to
   * {@code resumeAttempts} attempts in a row that make no progress, waiting an exponential backoff
   * with jitter (from about 100 ms, at most 5 s) before each; 0 never resumes.
   */
  public BlobFetcher(
      BlobStore store,
      Executor fillExecutor,
      BlobLeases leases,
      Runnable onStorageFailure,
      int resumeAttempts) {
    this(
        store, fillExecutor, leases, onStorageFailure, resumeAttempts, ResumeBackoff.exponential());
  }

  /**
   * Creates a fetcher as {@link #BlobFetcher(BlobStore, Executor, BlobLeases, Runnable, int)} that
   * counts in {@code meters} the fills that end ({@code cacheproxy.fills} by result, complete or
   * failed) and the requests that join a fill in flight ({@code
   * cacheproxy.singleflight.joins{kind=blob}}), and tells {@code fillListener} of each fill that
   * commits its blob.
   */
  public BlobFetcher(
      BlobStore store,
      Executor fillExecutor,
      BlobLeases leases,
      Runnable onStorageFailure,
      int resumeAttempts,
      MeterRegistry meters,
      FillListener fillListener) {
    this(
        store,
        fillExecutor,
        leases,
        onStorageFailure,
        resumeAttempts,
        ResumeBackoff.exponential(),
        new FillMetrics(meters),
        fillListener);
  }

  /** Creates a fetcher whose fills wait {@code backoff} before each resume attempt. */
  BlobFetcher(
      BlobStore store,
      Executor fillExecutor,
      BlobLeases leases,
      Runnable onStorageFailure,
      int resumeAttempts,
      ResumeBackoff backoff) {
    this(
        store,
        fillExecutor,
        leases,
        onStorageFailure,
        resumeAttempts,
        backoff,
        FillMetrics.NONE,
        FillListener.NONE);
  }

  private BlobFetcher(
      BlobStore store,
      Executor fillExecutor,
      BlobLeases leases,
      Runnable onStorageFailure,
      int resumeAttempts,
      ResumeBackoff backoff,
      FillMetrics metrics,
      FillListener fillListener) {
    if (resumeAttempts < 0) {
      throw new IllegalArgumentException("resumeAttempts must not be negative: " + resumeAttempts);
    }
    this.store = store;
    this.fillExecutor = fillExecutor;
    this.leases = leases;
    this.onStorageFailure = onStorageFailure;
    this.resumeAttempts = resumeAttempts;
    this.backoff = backoff;
    this.metrics = metrics;
    this.fillListener = fillListener;
  }

  /**
   * Opens a blob: the cached blob if present; else joins the fill in flight for this digest; else
   * starts one. Blocks until the fill has the upstream's response headers (so its size is known) or
   * has failed. If the store failed the fill by then, the blob is streamed from the upstream
   * without caching ({@link CacheStatus#MISS}, no file).
   *
   * <p>A failure after this returns reaches the caller as an {@link IOException} from reading; a
   * failure of the store after this returns does not (the reader goes on from the upstream).
   *
   * @throws ProxyException if the fill had failed by the time this call finished waiting: the
   *     exception the source threw (e.g. {@code NotFoundException}), an {@link UpstreamException}
   *     with {@link OciErrorCode#UNAVAILABLE} and status 0 for an {@link IOException}, or a {@link
   *     StorageException} if the store cannot be read (one that cannot be written is bypassed)
   */
  public BlobStream open(Digest digest, BlobSource source) {
    Lease lease = leases.acquire(digest);
    try {
      return new LeasedBlobStream(openLeased(digest, source), lease);
    } catch (RuntimeException | Error e) {
      lease.close();
      throw e;
    }
  }

  /** {@link #open} for a caller that holds a lease on the digest. */
  private BlobStream openLeased(Digest digest, BlobSource source) {
    Optional<StoredBlob> cached = lookup(digest);
    if (cached.isPresent()) {
      return new StoredBlobStream(cached.get());
    }
    Fill fill = fills.get(digest);
    // A request that finds every byte already verified waits only for the local commit: a hit.
    boolean foundVerified = fill != null && fill.verifiedAlready();
    if (fill == null) {
      if (closed) {
        throw new ProxyException(
            OciErrorCode.UNAVAILABLE, "the blob fetcher is closed; cannot fetch " + digest);
      }
      Fill created = new Fill(digest);
      fill = fills.putIfAbsent(digest, created);
      if (fill == null) {
        Optional<StoredBlob> raced = lookupFor(created);
        if (raced.isPresent()) {
          fills.remove(digest, created);
          created.committed(raced.get());
          return new StoredBlobStream(raced.get());
        }
        start(created, source);
        fill = created;
      } else {
        foundVerified = fill.verifiedAlready();
        joined(foundVerified);
      }
    } else {
      joined(foundVerified);
    }
    return awaitHeaders(fill, source, foundVerified ? CacheStatus.HIT : CacheStatus.MISS);
  }

  /**
   * Counts a request that joined a fill in flight and is served as a miss from it; one that found
   * every byte verified already is a hit, not a join, so that joins are exactly the blob misses
   * that did not start a fill.
   */
  private void joined(boolean foundVerified) {
    if (!foundVerified) {
      metrics.joined();
    }
  }

  /** The size of the fill in flight for {@code digest}, if one is running and has its headers. */
  public OptionalLong sizeInFlight(Digest digest) {
    Fill fill = fills.get(digest);
    return fill == null ? OptionalLong.empty() : fill.knownSize();
  }

  /** How many times fills have asked the upstream again to resume a broken download. */
  public long resumes() {
    return resumes.get();
  }

  /** The number of fills in flight. */
  public int fillsInFlight() {
    return fills.size();
  }

  /**
   * Stops accepting new fills. Cached blobs are still served, fills in flight run to their end, and
   * their clients can still join them.
   */
  @Override
  public void close() {
    closed = true;
  }

  private void start(Fill fill, BlobSource source) {
    Lease fillLease = leases.acquire(fill.digest());
    Runnable onEnd =
        () -> {
          fills.remove(fill.digest(), fill);
          fillLease.close();
        };
    try {
      fillExecutor.execute(
          new FillTask(
              fill,
              source,
              store,
              onEnd,
              onStorageFailure,
              resumeAttempts,
              backoff,
              resumes,
              metrics,
              blob -> fillListener.committed(fill.digest(), blob.size(), source)));
    } catch (RejectedExecutionException e) {
      onEnd.run();
      metrics.failed();
      fill.failed(
          new ProxyException(
              OciErrorCode.UNAVAILABLE, "cannot start fetching " + fill.digest() + ": " + e, e));
    }
  }

  /**
   * Waits for {@code fill}'s headers and opens its stream; a blob it stored by then is served from
   * the store with {@code storedStatus}.
   */
  private BlobStream awaitHeaders(Fill fill, BlobSource source, CacheStatus storedStatus) {
    Throwable failure;
    try {
      failure = fill.awaitHeaders();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProxyException(
          OciErrorCode.UNAVAILABLE, "interrupted while waiting for " + fill.digest(), e);
    }
    if (failure != null) {
      throw asProxyException(fill.digest(), failure);
    }
    try {
      Optional<StoredBlob> stored = fill.storedOnceVerified();
      if (stored.isPresent()) {
        // A request that waited for the upstream is a miss even if it reads from the store.
        return new StoredBlobStream(stored.get(), storedStatus);
      }
    } catch (IOException e) {
      throw asProxyException(fill.digest(), e.getCause() != null ? e.getCause() : e);
    }
    if (fill.state() == Fill.State.BYPASSED) {
      return passThrough(fill.digest(), source);
    }
    // Should the store fail from now on, the stream's readers go on from the upstream by
    // themselves.
    return new FillBlobStream(fill, source);
  }

  /** Streams a blob from the upstream without caching it, because the store failed to take it. */
  private static BlobStream passThrough(Digest digest, BlobSource source) {
    try {
      return PassThroughBlobStream.open(digest, source);
    } catch (IOException e) {
      throw asProxyException(digest, e);
    }
  }

  /** Looks up a blob for a fill this thread just created; on failure ends that fill too. */
  private Optional<StoredBlob> lookupFor(Fill created) {
    try {
      return lookup(created.digest());
    } catch (StorageException e) {
      fills.remove(created.digest(), created);
      created.failed(e);
      throw e;
    }
  }

  private Optional<StoredBlob> lookup(Digest digest) {
    try {
      return store.get(digest);
    } catch (IOException e) {
      throw new StorageException("cannot look up " + digest + ": " + e.getMessage(), e);
    }
  }

  private static ProxyException asProxyException(Digest digest, Throwable failure) {
    if (failure instanceof ProxyException proxy) {
      return proxy;
    }
    if (failure instanceof IOException) {
      return new UpstreamException(
          OciErrorCode.UNAVAILABLE,
          "fetching " + digest + " from upstream failed: " + failure.getMessage(),
          0,
          null,
          failure);
    }
    return new ProxyException(
        OciErrorCode.UNKNOWN, "fetching " + digest + " failed: " + failure, failure);
  }
}
