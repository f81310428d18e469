/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/**
 * An open upstream blob response. Closing it releases (or, if the body was not read to its end,
 * aborts) the connection.
 */
public final class UpstreamBlob implements Closeable {
  private final long offset;
  private final long totalSize;
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
    this.offset = offset;
    this.totalSize = totalSize;
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

  /** The body; read it once. */
  public InputStream body() {
    return body;
  }

  @Override
  public void close() throws IOException {
    onClose.close();
  }
}
