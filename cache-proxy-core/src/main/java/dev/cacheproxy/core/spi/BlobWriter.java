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
 * <p>Closing a writer that was not committed deletes the temporary file.
 */
public interface BlobWriter extends Closeable {

  /** The temporary file the bytes are written to. */
  Path temporaryFile();

  /** Writes all remaining bytes of {@code buffer} and hashes them. */
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
   * and moves the file atomically to its place.
   *
   * @throws DigestMismatchException if the content does not match; the temporary file is deleted
   */
  StoredBlob commit(long expectedSize) throws IOException;

  /** Deletes the temporary file unless the blob was committed. */
  @Override
  void close() throws IOException;
}
