/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.spi;

import dev.cacheproxy.core.DigestMismatchException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Writes one blob to a temporary file, hashing it as it goes. Not thread-safe: one writer thread.
 * Other threads may read {@link #temporaryFile()} up to {@link #written()} bytes while it grows.
 *
 * <p>Closing a writer that was not committed deletes the temporary file. Whatever fails (a write
 * when the disk is full, the digest check, forcing the data to disk, the final move), nothing is
 * published: the blob becomes visible in the {@link BlobStore} only when {@link #commit} returns. A
 * writer whose write failed is broken: it refuses further writes, {@link #verify} and {@link
 * #commit}, and the caller closes it. A writer abandoned without being closed (the process died)
 * leaves its temporary file behind; the store removes such files when it is opened again.
 */
public interface BlobWriter extends Closeable {

  /** The temporary file the bytes are written to. */
  Path temporaryFile();

  /**
   * Writes all remaining bytes of {@code buffer} and hashes them.
   *
   * @throws IOException if the bytes cannot be written (for example "No space left on device"); the
   *     writer is then broken and only {@link #close} is left to call
   */
  void write(ByteBuffer buffer) throws IOException;

  /** How many bytes have been written (and are readable in the temporary file). */
  long written();

  /**
   * Checks the digest (and the size, unless {@code expectedSize} is -1) without publishing the
   * blob; nothing can be written after it. Lets a caller release verified bytes to readers before
   * the slower {@link #commit}, which verifies too if this was not called.
   *
   * @throws DigestMismatchException if the content does not match; the temporary file is deleted
   */
  void verify(long expectedSize) throws IOException;

  /**
   * Checks the digest (and the size, unless {@code expectedSize} is -1), forces the data to disk
   * and moves the file atomically to its place. Another writer of the same digest may have
   * committed first; then this one's identical content is dropped and the same blob is returned.
   *
   * @throws DigestMismatchException if the content does not match; the temporary file is deleted
   * @throws IOException if the data cannot be forced to disk or moved; nothing is published and the
   *     temporary file is deleted
   */
  StoredBlob commit(long expectedSize) throws IOException;

  /** Deletes the temporary file unless the blob was committed. */
  @Override
  void close() throws IOException;
}
