/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.fetch;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.NotFoundException;
import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.ProxyException;
import dev.cacheproxy.core.StorageException;
import dev.cacheproxy.core.UpstreamException;
import dev.cacheproxy.core.internal.fetch.BlobFetcher.BlobSource;
import dev.cacheproxy.core.internal.upstream.UpstreamBlob;
import dev.cacheproxy.core.spi.BlobStore;
import dev.cacheproxy.core.spi.BlobWriter;
import dev.cacheproxy.core.spi.StoredBlob;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies one blob from the upstream into the store, publishing its progress to a {@link Fill}.
 *
 * <p>A failure of the store (creating the temporary file, writing it, or making it durable) is not
 * a failure of the fill's clients: the fill ends BYPASSED, its readers go on from the upstream
 * without caching, {@code onStorageFailure} runs (so that room can be made) and one warning names
 * the digest and the cause. Any other failure (the upstream, a digest or size mismatch) ends the
 * fill FAILED and its readers with an error.
 *
 * <p>Resuming: when the upstream body breaks (an {@code IOException} while reading, or the body
 * ends before the announced size), the task asks the upstream again from the first byte it has not
 * written ({@code Range}, with the first response's {@code ETag} as {@code If-Range}) and goes on
 * writing into the same temporary file; its readers only see the bytes arrive later. An answer must
 * continue the same blob: from the offset asked for (one from 0, by an upstream that ignores
 * ranges, has the bytes already written skipped, not hashed twice), with the announced size and the
 * first response's {@code ETag} where both sides sent them; otherwise the fill fails rather than
 * splice two blobs. Up to {@code resumeAttempts} attempts in a row may make no progress (the count
 * starts again whenever an attempt wrote bytes, so a long download over a flaky link goes on as
 * long as it advances); each waits for the {@link ResumeBackoff} first. Answers are not resumed: a
 * 404, 401 or 403, a digest or size mismatch end the fill at once; an unreachable, failing (5xx) or
 * throttling (429) upstream counts as a failed attempt. The digest check at the end covers the
 * whole blob.
 *
 * <p>Concurrency: runs once, on one thread, and is the only publisher of its fill. It always ends
 * the fill (COMMITTED, FAILED or BYPASSED) after running {@code onEnd} exactly once (which lets the
 * next request start a new fill); on success the blob is in the store before the fill says
 * COMMITTED, and on failure the temporary file is gone before the fill says FAILED or BYPASSED.
 */
final class FillTask implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(FillTask.class);
  private static final int CHUNK_SIZE = 64 * 1024;

  private final Fill fill;
  private final BlobSource source;
  private final BlobStore store;
  private final Runnable onEnd;
  private final Runnable onStorageFailure;
  private final int resumeAttempts;
  private final ResumeBackoff backoff;
  private final AtomicLong resumes;
  private final FillMetrics metrics;
  private final Consumer<StoredBlob> onCommit;

  /** The upstream response being read; replaced on each resume, closed at the end. */
  private @Nullable UpstreamBlob upstream;

  /**
   * Creates the task.
   *
   * @param resumeAttempts how many resume attempts in a row may make no progress (0: never resume)
   * @param backoff waits before each resume attempt
   * @param resumes counts the resume attempts made
   * @param metrics counts the fill as complete or failed when it ends
   * @param onCommit called with the stored blob once it is committed (after the fill says COMMITTED
   *     and {@code onEnd} ran; a failure there is logged, never the fill's)
   */
  FillTask(
      Fill fill,
      BlobSource source,
      BlobStore store,
      Runnable onEnd,
      Runnable onStorageFailure,
      int resumeAttempts,
      ResumeBackoff backoff,
      AtomicLong resumes,
      FillMetrics metrics,
      Consumer<StoredBlob> onCommit) {
    this.metrics = metrics;
    this.onCommit = onCommit;
    this.fill = fill;
    this.source = source;
    this.store = store;
    this.onEnd = onEnd;
    this.onStorageFailure = onStorageFailure;
    this.resumeAttempts = resumeAttempts;
    this.backoff = backoff;
    this.resumes = resumes;
  }

  @Override
  public void run() {
    StoredBlob blob;
    try {
      blob = fetch();
    } catch (StorageException e) {
      onEnd.run();
      metrics.failed();
      fill.bypassed(e);
      LOG.warn(
          "fill of {}: the store failed ({}); its clients get the blob from the upstream without"
              + " caching it",
          fill.digest(),
          e.getCause() != null ? e.getCause().toString() : e.getMessage());
      notifyStorageFailure();
      return;
    } catch (Throwable t) {
      onEnd.run();
      metrics.failed();
      fill.failed(t);
      if (t instanceof NotFoundException) {
        LOG.debug("fill of {}: {}", fill.digest(), t.getMessage());
      } else {
        LOG.warn("fill of {} failed: {}", fill.digest(), t.toString());
      }
      if (t instanceof Error error) {
        throw error;
      }
      return;
    }
    metrics.completed();
    fill.committed(blob);
    onEnd.run();
    try {
      onCommit.accept(blob);
    } catch (RuntimeException e) {
      LOG.warn("reporting the fill of {} failed: {}", fill.digest(), e.toString());
    }
  }

  private StoredBlob fetch() throws IOException {
    Digest digest = fill.digest();
    UpstreamBlob upstream = source.open(0);
    this.upstream = upstream;
    try {
      if (upstream.offset() != 0) {
        throw new IOException(
            "upstream answered a request for " + digest + " from offset " + upstream.offset());
      }
      long size = Math.max(-1, upstream.totalSize());
      try (BlobWriter writer = createWriter(digest)) {
        fill.streaming(size, writer.temporaryFile());
        copyResuming(upstream.body(), writer, size, upstream.etag().orElse(null));
        try {
          writer.verify(size);
        } catch (IOException e) {
          throw storageFailure("cannot verify", e);
        }
        // Readers may take the last byte now; making the blob durable (fsync, rename) follows.
        fill.verified(writer.written());
        try {
          return writer.commit(size);
        } catch (IOException e) {
          throw storageFailure("cannot commit", e);
        }
      }
    } finally {
      closeQuietly(this.upstream);
    }
  }

  /**
   * Copies {@code body} into {@code writer}; when it breaks, resumes from the upstream (see the
   * class comment) until the blob is whole or the attempts run out.
   *
   * @param etag the first response's {@code ETag}, or null
   */
  private void copyResuming(InputStream first, BlobWriter writer, long size, @Nullable String etag)
      throws IOException {
    InputStream body = first;
    // Why the last resume attempt failed before it had a body to read, if it did.
    @Nullable IOException failedOpen = null;
    int fruitless = 0;
    while (true) {
      long before = writer.written();
      IOException broken = failedOpen;
      if (broken == null) {
        try {
          copy(body, writer, size);
          if (size < 0 || writer.written() == size) {
            return;
          }
          broken =
              new EOFException(
                  "the upstream body of "
                      + fill.digest()
                      + " ended after "
                      + writer.written()
                      + " of "
                      + size
                      + " bytes");
        } catch (IOException e) {
          broken = e;
        }
      }
      long position = writer.written();
      fruitless = position > before ? 1 : fruitless + 1;
      if (fruitless > resumeAttempts || Thread.currentThread().isInterrupted()) {
        throw exhausted(broken, position);
      }
      closeQuietly(upstream);
      upstream = null;
      pause(fruitless, broken);
      resumes.incrementAndGet();
      LOG.info(
          "fill of {}: the upstream broke at byte {} ({}); resuming, attempt {} of {}",
          fill.digest(),
          position,
          broken.toString(),
          fruitless,
          resumeAttempts);
      try {
        body = reopen(position, size, etag);
        failedOpen = null;
      } catch (IOException e) {
        failedOpen = e;
      }
    }
  }

  private void pause(int attempt, IOException cause) throws InterruptedIOException {
    try {
      backoff.pause(attempt);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      InterruptedIOException interrupted =
          new InterruptedIOException("interrupted before resuming " + fill.digest());
      interrupted.initCause(cause);
      throw interrupted;
    }
  }

  /**
   * Opens the upstream again from {@code position} and checks that the answer goes on with the same
   * blob; returns its body positioned at {@code position}.
   *
   * @throws IOException if the attempt failed but another may succeed
   * @throws ProxyException if the upstream answered with an error or another blob
   */
  private InputStream reopen(long position, long size, @Nullable String etag) throws IOException {
    UpstreamBlob next;
    try {
      next = source.open(position, etag);
    } catch (UpstreamException e) {
      if (e.code() != OciErrorCode.UNAVAILABLE && e.code() != OciErrorCode.TOOMANYREQUESTS) {
        throw e;
      }
      // An unreachable, failing (5xx) or busy (429) upstream: worth another attempt.
      throw new IOException(e.getMessage(), e);
    }
    upstream = next;
    check(next, position, size, etag);
    InputStream body = next.body();
    // An upstream that ignored the range (or started earlier): skip what the file already has,
    // without hashing it again.
    body.skipNBytes(position - next.offset());
    return body;
  }

  /** Fails the fill unless {@code next} continues the blob at {@code position}. */
  private void check(UpstreamBlob next, long position, long size, @Nullable String etag) {
    String refused = null;
    if (next.offset() > position || next.offset() < 0) {
      refused = "answered from offset " + next.offset();
    } else if (size >= 0 && next.totalSize() >= 0 && next.totalSize() != size) {
      refused = "now announces " + next.totalSize() + " bytes, not " + size;
    } else if (etag != null && next.etag().isPresent() && !etag.equals(next.etag().get())) {
      refused = "now has ETag " + next.etag().get() + ", not " + etag;
    }
    if (refused != null) {
      throw new ProxyException(
          OciErrorCode.UNAVAILABLE,
          "cannot resume "
              + fill.digest()
              + " from byte "
              + position
              + ": the upstream "
              + refused);
    }
  }

  private IOException exhausted(IOException broken, long position) {
    if (resumeAttempts == 0) {
      return broken;
    }
    LOG.warn(
        "fill of {}: giving up at byte {} after {} resume attempts without progress: {}",
        fill.digest(),
        position,
        resumeAttempts,
        broken.toString());
    return new IOException(
        "the upstream of "
            + fill.digest()
            + " kept breaking ("
            + resumeAttempts
            + " resume attempts without progress): "
            + Objects.toString(broken.getMessage(), broken.toString()),
        broken);
  }

  private void notifyStorageFailure() {
    try {
      onStorageFailure.run();
    } catch (RuntimeException e) {
      LOG.warn("reacting to the storage failure of {} failed", fill.digest(), e);
    }
  }

  private void copy(InputStream body, BlobWriter writer, long size) throws IOException {
    byte[] chunk = new byte[CHUNK_SIZE];
    int count;
    while ((count = body.read(chunk)) != -1) {
      try {
        writer.write(ByteBuffer.wrap(chunk, 0, count));
      } catch (IOException e) {
        throw storageFailure("cannot write", e);
      }
      long written = writer.written();
      if (size >= 0 && written > size) {
        throw new ProxyException(
            OciErrorCode.SIZE_INVALID,
            "upstream sent more than the " + size + " bytes it announced for " + fill.digest());
      }
      fill.progress(written);
    }
  }

  private BlobWriter createWriter(Digest digest) {
    try {
      return store.create(digest);
    } catch (IOException e) {
      throw storageFailure("cannot create a temporary file for", e);
    }
  }

  private StorageException storageFailure(String what, IOException e) {
    return new StorageException(what + " " + fill.digest() + ": " + e.getMessage(), e);
  }

  private void closeQuietly(@Nullable UpstreamBlob upstream) {
    if (upstream == null) {
      return;
    }
    try {
      upstream.close();
    } catch (IOException | RuntimeException e) {
      LOG.debug("closing the upstream response of {} failed", fill.digest(), e);
    }
  }
}
