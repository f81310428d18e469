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
 * <p>Concurrency: runs once, on one thread, and is the only publisher of its fill. It always ends
 * the fill (COMMITTED or FAILED) and then runs {@code onEnd} exactly once; on success the blob is
 * in the store before the fill says COMMITTED, and on failure the temporary file is gone before the
 * fill says FAILED.
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
    } catch (Throwable t) {
      onEnd.run();
      fill.failed(t);
      if (t instanceof StorageException) {
        onStorageFailure.run();
      }
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
