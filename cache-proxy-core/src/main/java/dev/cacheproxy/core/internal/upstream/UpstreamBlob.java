/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An open upstream blob response. Closing it releases (or, if the body was not read to its end,
 * aborts) the connection.
 */
public final class UpstreamBlob implements Closeable {
  private final long offset;
  private final long totalSize;
  private final @Nullable String etag;
  private final InputStream body;
  private final Closeable onClose;

  /**
   * Creates the response.
   *
   * @param offset the position in the blob of the body's first byte (0 unless a range was served)
   * @param totalSize the blob's total size, or -1 if the upstream did not say
   * @param body the body stream
   * @param onClose releases the connection
   */
  public UpstreamBlob(long offset, long totalSize, InputStream body, Closeable onClose) {
    this(offset, totalSize, null, body, onClose);
  }

  /**
   * Creates the response with the upstream's entity tag.
   *
   * @param offset the position in the blob of the body's first byte (0 unless a range was served)
   * @param totalSize the blob's total size, or -1 if the upstream did not say
   * @param etag the {@code ETag} header as sent (quotes and any {@code W/} included), or null if
   *     there was none
   * @param body the body stream
   * @param onClose releases the connection
   */
  public UpstreamBlob(
      long offset, long totalSize, @Nullable String etag, InputStream body, Closeable onClose) {
    this.offset = offset;
    this.totalSize = totalSize;
    this.etag = etag;
    this.body = body;
    this.onClose = onClose;
  }

  /** The position in the blob of the body's first byte. */
  public long offset() {
    return offset;
  }

  /** The blob's total size, or -1 if unknown. */
  public long totalSize() {
    return totalSize;
  }

  /**
   * The upstream's {@code ETag} for the blob, as sent; a resumed download compares it (and sends it
   * as {@code If-Range}) so that bytes of a changed blob are never spliced together.
   */
  public Optional<String> etag() {
    return Optional.ofNullable(etag);
  }

  /** The body; read it once. */
  public InputStream body() {
    return body;
  }

  @Override
  public void close() throws IOException {
    onClose.close();
  }
}
