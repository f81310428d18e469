/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.fetch;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.spi.StoredBlob;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The shared state of one blob being copied from the upstream into the store: its size, how many
 * bytes its temporary file holds, and how the copy ended. One {@link FillTask} publishes; any
 * number of {@link FillInputStream readers} wait on it.
 *
 * <p>Concurrency: every field is guarded by {@link #lock}, and every publication signals {@link
 * #changed} to all waiters. The state only moves forward: {@code STARTING → STREAMING → VERIFIED →
 * COMMITTED}, or from any of the first three to one of two other ends: {@code FAILED} (the upstream
 * failed or sent wrong bytes) or {@code BYPASSED} (the store failed; see below). {@code STARTING →
 * COMMITTED} happens too, when the blob turned out to be stored already. A late publication into an
 * ended fill is ignored. {@code written} only grows, and freezes when the fill ends. Readers wait
 * in bounded slices and re-check the state after each, so even a missed signal costs one slice,
 * never a hang. The lock is held only to read or write these fields, never across I/O.
 *
 * <p>The rule that keeps unverified bytes from clients: until the fill is VERIFIED, readers may
 * read only up to {@code written - 1}. The last byte of a blob is delivered only after its digest
 * was checked, so a mismatch ends every reader with an error before any of them is complete. Once
 * verified, the bytes stay readable through the channels readers already hold, even if making the
 * blob durable (fsync and rename, which is slow for large blobs) then fails.
 *
 * <p>BYPASSED: the store could not take the blob (no space, a failed write or rename). The task
 * deleted the temporary file before publishing it, so nothing of it is cached; a reader that is not
 * past the verified bytes goes on from the upstream at its position ({@link
 * PassThroughInputStream}), re-hashing the first {@link #prefixLength()} bytes through the channel
 * it still holds on the deleted file (POSIX keeps an open file readable), and a reader that had no
 * channel yet reads the upstream from the start.
 */
final class Fill {

  enum State {
    STARTING,
    STREAMING,
    VERIFIED,
    COMMITTED,
    FAILED,
    BYPASSED
  }

  /**
   * What {@link #awaitReadable} returns when the store failed: the reader must continue from the
   * upstream.
   */
  static final long BYPASS = -2;

  private static final long WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  private final Digest digest;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private State state = State.STARTING;
  private long size = -1;
  private long written;
  private long verifiedSize = -1;
  private @Nullable Path temporaryFile;
  private @Nullable StoredBlob stored;
  private @Nullable Throwable failure;
  private @Nullable Throwable storeFailure;

  Fill(Digest digest) {
    this.digest = digest;
  }

  /** The digest being filled. */
  Digest digest() {
    return digest;
  }

  /** Publishes the upstream's headers: the size (-1 if unknown) and the file the bytes go to. */
  void streaming(long size, Path temporaryFile) {
    lock.lock();
    try {
      if (state == State.STARTING) {
        this.size = size;
        this.temporaryFile = temporaryFile;
        state = State.STREAMING;
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Publishes that the temporary file now holds {@code written} bytes. */
  void progress(long written) {
    lock.lock();
    try {
      if (state == State.STREAMING && written > this.written) {
        this.written = written;
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Publishes that the temporary file holds the whole blob and its digest was checked. */
  void verified(long size) {
    lock.lock();
    try {
      if (state == State.STREAMING) {
        this.size = size;
        this.written = size;
        this.verifiedSize = size;
        state = State.VERIFIED;
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Publishes that the blob was verified and is in the store. */
  void committed(StoredBlob blob) {
    lock.lock();
    try {
      if (state == State.STARTING || state == State.STREAMING || state == State.VERIFIED) {
        stored = blob;
        size = blob.size();
        written = blob.size();
        state = State.COMMITTED;
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Publishes that the fill failed; every reader's next read throws. */
  void failed(Throwable cause) {
    lock.lock();
    try {
      if (state == State.STARTING || state == State.STREAMING || state == State.VERIFIED) {
        failure = cause;
        state = State.FAILED;
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Publishes that the store failed and the temporary file is deleted: nothing is cached, and
   * readers continue from the upstream (see the class comment).
   */
  void bypassed(Throwable cause) {
    lock.lock();
    try {
      if (state == State.STARTING || state == State.STREAMING || state == State.VERIFIED) {
        storeFailure = cause;
        state = State.BYPASSED;
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Why the store failed, if the fill was bypassed. */
  Optional<Throwable> storeFailure() {
    lock.lock();
    try {
      return Optional.ofNullable(storeFailure);
    } finally {
      lock.unlock();
    }
  }

  /**
   * How many bytes from the start of the temporary file were written and published: a reader's
   * channel on it holds at least these, even after the file was deleted.
   */
  long prefixLength() {
    lock.lock();
    try {
      return verifiedSize >= 0 ? verifiedSize : written;
    } finally {
      lock.unlock();
    }
  }

  /** Whether every byte was verified (the fill is VERIFIED or COMMITTED). */
  boolean verifiedAlready() {
    lock.lock();
    try {
      return state == State.VERIFIED || state == State.COMMITTED;
    } finally {
      lock.unlock();
    }
  }

  /** The current state. */
  State state() {
    lock.lock();
    try {
      return state;
    } finally {
      lock.unlock();
    }
  }

  /** The blob's size, or -1 while it is unknown. */
  long size() {
    lock.lock();
    try {
      return size;
    } finally {
      lock.unlock();
    }
  }

  /** The size, if the headers have arrived and announced one and the fill has not failed. */
  OptionalLong knownSize() {
    lock.lock();
    try {
      boolean live =
          state == State.STREAMING || state == State.VERIFIED || state == State.COMMITTED;
      return live && size >= 0 ? OptionalLong.of(size) : OptionalLong.empty();
    } finally {
      lock.unlock();
    }
  }

  /** Waits until the headers have arrived or the fill has ended; returns the failure, if any. */
  @Nullable Throwable awaitHeaders() throws InterruptedException {
    lock.lock();
    try {
      while (state == State.STARTING) {
        changed.awaitNanos(WAIT_SLICE_NANOS);
      }
      return failure;
    } finally {
      lock.unlock();
    }
  }

  /**
   * For a fill whose bytes are all verified: waits for the (short) step that makes the blob durable
   * and returns it, so a late joiner is served the stored file. Empty while the fill is still
   * streaming, and if the store failed (the fill is BYPASSED).
   *
   * @throws IOException if the fill failed
   */
  Optional<StoredBlob> storedOnceVerified() throws IOException {
    lock.lock();
    try {
      throwIfFailed();
      if (state != State.VERIFIED && state != State.COMMITTED) {
        return Optional.empty();
      }
      return Optional.ofNullable(awaitOutcome());
    } finally {
      lock.unlock();
    }
  }

  /**
   * Opens a channel on the blob's bytes: the temporary file while the fill runs, the stored file
   * once it is committed. Waits for the headers if they have not arrived. Returns null if the store
   * failed (the fill is BYPASSED), so there is no file to read.
   *
   * @throws IOException if the fill failed
   */
  @Nullable FileChannel openChannel() throws IOException {
    Path path;
    boolean temporary;
    lock.lock();
    try {
      while (state == State.STARTING) {
        awaitSlice();
      }
      throwIfFailed();
      if (state == State.BYPASSED) {
        return null;
      }
      temporary = state == State.STREAMING || state == State.VERIFIED;
      path = temporary ? requireNonNull(temporaryFile) : requireNonNull(stored).path();
    } finally {
      lock.unlock();
    }
    try {
      return FileChannel.open(path, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      if (!temporary) {
        throw e;
      }
      // The commit renamed the temporary file, or a failure deleted it: wait for the outcome.
      StoredBlob stored = awaitOutcome();
      return stored == null ? null : FileChannel.open(stored.path(), StandardOpenOption.READ);
    }
  }

  /**
   * Waits until bytes at {@code position} may be read; returns how many (at least 1), -1 at the end
   * of a committed blob, or {@link #BYPASS} if the store failed and the reader must continue from
   * the upstream.
   *
   * @throws IOException if the fill failed, or the wait was interrupted
   */
  long awaitReadable(long position) throws IOException {
    lock.lock();
    try {
      long readable;
      while ((readable = readable(position)) == 0) {
        awaitSlice();
      }
      return readable;
    } finally {
      lock.unlock();
    }
  }

  /** How many bytes at {@code position} may be read without waiting (0 at the end). */
  long readableNow(long position) throws IOException {
    lock.lock();
    try {
      return Math.max(0, readable(position));
    } finally {
      lock.unlock();
    }
  }

  /** Waits until the fill ends: the stored blob, or null if the fill was BYPASSED. */
  private @Nullable StoredBlob awaitOutcome() throws IOException {
    lock.lock();
    try {
      while (state != State.COMMITTED && state != State.BYPASSED) {
        throwIfFailed();
        awaitSlice();
      }
      return state == State.COMMITTED ? requireNonNull(stored) : null;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Readable bytes at {@code position}: positive, 0 to wait, -1 at the end, or {@link #BYPASS}.
   * Holds the lock.
   */
  private long readable(long position) throws IOException {
    if (verifiedSize >= 0) {
      // Verified bytes are good whatever happens to the commit; a reader's channel still has them.
      return position < verifiedSize ? verifiedSize - position : -1;
    }
    throwIfFailed();
    if (state == State.BYPASSED) {
      return BYPASS;
    }
    if (state == State.COMMITTED) {
      return position < size ? size - position : -1;
    }
    // Hold back the last written byte until the digest is verified.
    return Math.max(0, written - 1 - position);
  }

  private void throwIfFailed() throws IOException {
    Throwable cause = failure;
    if (cause != null) {
      String reason = cause.getMessage() != null ? cause.getMessage() : cause.toString();
      throw new IOException("fill of " + digest + " failed: " + reason, cause);
    }
  }

  // Every caller calls this in a loop that re-checks its condition (see the class comment).
  @SuppressWarnings("WaitNotInLoop")
  private void awaitSlice() throws InterruptedIOException {
    try {
      changed.awaitNanos(WAIT_SLICE_NANOS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      InterruptedIOException interrupted =
          new InterruptedIOException("interrupted while waiting for the bytes of " + digest);
      interrupted.initCause(e);
      throw interrupted;
    }
  }

  private static <T> T requireNonNull(@Nullable T value) {
    if (value == null) {
      throw new IllegalStateException("fill state is inconsistent");
    }
    return value;
  }
}
