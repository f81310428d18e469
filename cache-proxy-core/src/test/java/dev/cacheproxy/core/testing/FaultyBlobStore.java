/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.testing;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.spi.BlobStore;
import dev.cacheproxy.core.spi.BlobWriter;
import dev.cacheproxy.core.spi.StoredBlob;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A {@link BlobStore} that passes everything to a real store until a test scripts a fault: a full
 * disk when a temporary file is created or after some bytes were written, a rename that fails at
 * commit, or a process that dies in the middle of a write. With no fault scripted it is the store
 * it wraps (and passes the contract test).
 *
 * <p>Faults stay scripted until {@link #heal()}. They apply to writers created after they were
 * scripted, and count every writer's bytes separately.
 *
 * <p>Concurrency: thread-safe like the store it wraps; the script is read once per writer.
 */
public final class FaultyBlobStore implements BlobStore {

  /** The message of the {@link IOException} the JDK throws for {@code ENOSPC}. */
  public static final String NO_SPACE = "No space left on device";

  private final BlobStore delegate;
  private final AtomicInteger faults = new AtomicInteger();
  private volatile boolean failCreate;
  private volatile long failWritesAfter = -1;
  private volatile boolean failCommit;
  private volatile long crashAfter = -1;

  /** Wraps {@code delegate}, with no fault scripted. */
  public FaultyBlobStore(BlobStore delegate) {
    this.delegate = delegate;
  }

  /** From now on, creating a writer fails with {@value #NO_SPACE}. */
  public FaultyBlobStore failCreate() {
    failCreate = true;
    return this;
  }

  /**
   * From now on, each writer writes its first {@code bytes} bytes, then fails with {@value
   * #NO_SPACE}: the write that crosses the limit puts the bytes before it in the file, and throws.
   */
  public FaultyBlobStore failWritesAfter(long bytes) {
    failWritesAfter = bytes;
    return this;
  }

  /**
   * From now on, commit checks the digest and size as usual, then fails like a rename that the file
   * system refuses: nothing is published and the temporary file is deleted.
   */
  public FaultyBlobStore failCommit() {
    failCommit = true;
    return this;
  }

  /**
   * From now on, each writer writes its first {@code bytes} bytes and then the process "dies": the
   * write throws, and the writer is abandoned, so closing it does nothing and its temporary file
   * stays behind, as after {@code kill -9}. Reopening the store must remove it.
   */
  public FaultyBlobStore crashAfter(long bytes) {
    crashAfter = bytes;
    return this;
  }

  /** Clears every scripted fault: the disk has room again. */
  public FaultyBlobStore heal() {
    failCreate = false;
    failWritesAfter = -1;
    failCommit = false;
    crashAfter = -1;
    return this;
  }

  /** How many faults were injected so far. */
  public int faults() {
    return faults.get();
  }

  @Override
  public Optional<StoredBlob> get(Digest digest) throws IOException {
    return delegate.get(digest);
  }

  @Override
  public BlobWriter create(Digest expected) throws IOException {
    if (failCreate) {
      faults.incrementAndGet();
      throw new IOException(NO_SPACE);
    }
    return new FaultyWriter(
        delegate.create(expected), failWritesAfter, crashAfter, failCommit, faults);
  }

  @Override
  public boolean delete(Digest digest) throws IOException {
    return delegate.delete(digest);
  }

  @Override
  public void forEach(Consumer<StoredBlob> visitor) throws IOException {
    delegate.forEach(visitor);
  }

  @Override
  public long usableSpace() throws IOException {
    return delegate.usableSpace();
  }

  /** A writer that injects the faults scripted when it was created. */
  private static final class FaultyWriter implements BlobWriter {

    private final BlobWriter delegate;
    private final long failAfter;
    private final long crashAfter;
    private final boolean failCommit;
    private final AtomicInteger faults;
    private @Nullable IOException broken;
    private boolean abandoned;

    FaultyWriter(
        BlobWriter delegate,
        long failAfter,
        long crashAfter,
        boolean failCommit,
        AtomicInteger faults) {
      this.delegate = delegate;
      this.failAfter = failAfter;
      this.crashAfter = crashAfter;
      this.failCommit = failCommit;
      this.faults = faults;
    }

    @Override
    public Path temporaryFile() {
      return delegate.temporaryFile();
    }

    @Override
    public void write(ByteBuffer buffer) throws IOException {
      ensureUsable();
      long limit = crashAfter >= 0 ? crashAfter : failAfter;
      if (limit >= 0 && delegate.written() + buffer.remaining() > limit) {
        int fits = (int) Math.max(0, limit - delegate.written());
        ByteBuffer part = buffer.duplicate();
        part.limit(part.position() + fits);
        delegate.write(part);
        buffer.position(buffer.position() + fits);
        faults.incrementAndGet();
        if (crashAfter >= 0) {
          abandoned = true;
          broken = new IOException("the process died while writing " + temporaryFile());
        } else {
          broken = new IOException(NO_SPACE);
        }
        throw broken;
      }
      delegate.write(buffer);
    }

    @Override
    public long written() {
      return delegate.written();
    }

    @Override
    public void verify(long expectedSize) throws IOException {
      ensureUsable();
      delegate.verify(expectedSize);
    }

    @Override
    public StoredBlob commit(long expectedSize) throws IOException {
      ensureUsable();
      if (!failCommit) {
        return delegate.commit(expectedSize);
      }
      delegate.verify(expectedSize);
      delegate.close();
      faults.incrementAndGet();
      throw new IOException("cannot rename " + temporaryFile() + ": Read-only file system");
    }

    @Override
    public void close() throws IOException {
      if (!abandoned) {
        delegate.close();
      }
    }

    private void ensureUsable() throws IOException {
      IOException failure = broken;
      if (failure != null) {
        throw new IOException("the writer failed earlier: " + failure.getMessage(), failure);
      }
    }
  }
}
