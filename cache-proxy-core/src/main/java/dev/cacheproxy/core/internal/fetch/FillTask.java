/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.fetch;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.NotFoundException;
import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.ProxyException;
import dev.cacheproxy.core.StorageException;
import dev.cacheproxy.core.internal.fetch.BlobFetcher.BlobSource;
import dev.cacheproxy.core.internal.upstream.UpstreamBlob;
import dev.cacheproxy.core.spi.BlobStore;
import dev.cacheproxy.core.spi.BlobWriter;
import dev.cacheproxy.core.spi.StoredBlob;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
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

  FillTask(
      Fill fill, BlobSource source, BlobStore store, Runnable onEnd, Runnable onStorageFailure) {
    this.fill = fill;
    this.source = source;
    this.store = store;
    this.onEnd = onEnd;
    this.onStorageFailure = onStorageFailure;
  }

  @Override
  public void run() {
    StoredBlob blob;
    try {
      blob = fetch();
    } catch (StorageException e) {
      onEnd.run();
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
    fill.committed(blob);
    onEnd.run();
  }

  private StoredBlob fetch() throws IOException {
    Digest digest = fill.digest();
    UpstreamBlob upstream = source.open(0);
    try {
      if (upstream.offset() != 0) {
        throw new IOException(
            "upstream answered a request for " + digest + " from offset " + upstream.offset());
      }
      long size = Math.max(-1, upstream.totalSize());
      try (BlobWriter writer = createWriter(digest)) {
        fill.streaming(size, writer.temporaryFile());
        copy(upstream.body(), writer, size);
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
      closeQuietly(upstream);
    }
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

  private void closeQuietly(UpstreamBlob upstream) {
    try {
      upstream.close();
    } catch (IOException | RuntimeException e) {
      LOG.debug("closing the upstream response of {} failed", fill.digest(), e);
    }
  }
}
