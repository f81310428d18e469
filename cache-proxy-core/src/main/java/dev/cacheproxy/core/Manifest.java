/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

/**
 * A manifest or index exactly as the upstream sent it.
 *
 * <p>The content array is shared, not copied, for speed: callers must not modify it.
 *
 * @param digest the digest of {@code content}
 * @param mediaType the media type the upstream sent it with
 * @param content the bytes, at most {@link #MAX_SIZE}
 */
// Shares the array for speed (see above); manifests are compared by digest, never with equals().
@SuppressWarnings("ArrayRecordComponent")
public record Manifest(Digest digest, String mediaType, byte[] content) {

  /** The largest manifest accepted, 4 MiB, as in the distribution registry. */
  public static final int MAX_SIZE = 4 * 1024 * 1024;

  /** Validates the fields. */
  public Manifest {
    if (digest == null || mediaType == null || mediaType.isBlank() || content == null) {
      throw new IllegalArgumentException("manifest needs a digest, a media type and content");
    }
  }

  /** The size in bytes. */
  public long size() {
    return content.length;
  }
}
