/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.spi;

import dev.cacheproxy.core.Digest;
import java.io.IOException;
import java.util.Optional;

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

  /** Deletes a committed blob; returns whether it existed. */
  boolean delete(Digest digest) throws IOException;
}
