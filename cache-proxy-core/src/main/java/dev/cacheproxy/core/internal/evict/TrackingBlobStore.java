/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.evict;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.spi.BlobStore;
import dev.cacheproxy.core.spi.BlobWriter;
import dev.cacheproxy.core.spi.StoredBlob;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A {@link BlobStore} that tells its {@link CacheLedger} about every commit and delete, so that the
 * ledger's usage is the size of the stored blobs without ever listing the store. Wraps the store of
 * a cache, whether the default one or an embedder's.
 *
 * <p>Concurrency: as thread-safe as the ledger and the store it wraps; a commit is counted after
 * the store published the blob, a delete under the ledger's per-digest lock.
 */
public final class TrackingBlobStore implements BlobStore {

  private final BlobStore delegate;
  private final CacheLedger ledger;
  private final Runnable afterCommit;

  /**
   * Wraps the ledger's store.
   *
   * @param afterCommit runs after each commit has been counted (to check the size limit); must be
   *     cheap and must not throw
   */
  public TrackingBlobStore(CacheLedger ledger, Runnable afterCommit) {
    this.delegate = ledger.store();
    this.ledger = ledger;
    this.afterCommit = afterCommit;
  }

  @Override
  public Optional<StoredBlob> get(Digest digest) throws IOException {
    return delegate.get(digest);
  }

  @Override
  public BlobWriter create(Digest expected) throws IOException {
    return new TrackingWriter(delegate.create(expected));
  }

  @Override
  public boolean delete(Digest digest) throws IOException {
    return ledger.blobs().delete(digest);
  }

  @Override
  public void forEach(Consumer<StoredBlob> visitor) throws IOException {
    delegate.forEach(visitor);
  }

  @Override
  public long usableSpace() throws IOException {
    return delegate.usableSpace();
  }

  /** Counts the blob when the wrapped writer commits it. */
  private final class TrackingWriter implements BlobWriter {
    private final BlobWriter writer;

    TrackingWriter(BlobWriter writer) {
      this.writer = writer;
    }

    @Override
    public Path temporaryFile() {
      return writer.temporaryFile();
    }

    @Override
    public void write(ByteBuffer buffer) throws IOException {
      writer.write(buffer);
    }

    @Override
    public long written() {
      return writer.written();
    }

    @Override
    public void verify(long expectedSize) throws IOException {
      writer.verify(expectedSize);
    }

    @Override
    public StoredBlob commit(long expectedSize) throws IOException {
      StoredBlob blob = writer.commit(expectedSize);
      ledger.committed(blob);
      afterCommit.run();
      return blob;
    }

    @Override
    public void close() throws IOException {
      writer.close();
    }
  }
}
