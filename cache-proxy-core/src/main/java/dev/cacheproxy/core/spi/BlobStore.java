/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.spi;

import dev.cacheproxy.core.Digest;
import java.io.IOException;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Content-addressed storage of verified blobs (layers, configs and manifests).
 *
 * <p>A blob becomes visible only when a {@link BlobWriter} commits it after checking its digest and
 * size, so a reader never sees partial or unverified content. Implementations are thread-safe.
 */
public interface BlobStore {

  /** The committed blob with this digest, if there is one. */
  Optional<StoredBlob> get(Digest digest) throws IOException;

  /**
   * Starts writing a blob that must hash to {@code expected}. Bytes go to a temporary file until
   * {@link BlobWriter#commit} verifies and publishes them.
   */
  BlobWriter create(Digest expected) throws IOException;

  /**
   * Deletes a committed blob; returns whether it existed. Readers that already opened it may go on
   * reading it (as POSIX file systems allow), so callers must make sure nobody is about to open it.
   */
  boolean delete(Digest digest) throws IOException;

  /**
   * Calls {@code visitor} once for every committed blob, in no particular order, from the calling
   * thread. Temporary files are not blobs. Blobs committed or deleted during the walk may or may
   * not be visited.
   *
   * @throws IOException if the store cannot be listed
   */
  void forEach(Consumer<StoredBlob> visitor) throws IOException;

  /**
   * How many bytes can still be written to the store (the free space of its file system), or {@link
   * Long#MAX_VALUE} if the store cannot tell.
   */
  long usableSpace() throws IOException;
}
