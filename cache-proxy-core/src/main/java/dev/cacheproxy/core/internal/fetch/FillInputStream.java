/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.fetch;

import dev.cacheproxy.core.internal.fetch.BlobFetcher.BlobSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a blob while it is being filled: through its own channel on the growing file, never past
 * what the {@link Fill} allows, waiting for more bytes as they arrive. If the store fails (the fill
 * is BYPASSED), the reader goes on transparently from the upstream at its position through a {@link
 * PassThroughInputStream}, which re-hashes the bytes already delivered through this reader's
 * channel and still holds back the last byte until the digest matches.
 *
 * <p>Concurrency: one reading thread, like any {@link InputStream}. Closing it releases only this
 * reader's channel (or its pass-through, which took the channel over); the fill goes on.
 */
final class FillInputStream extends InputStream {

  private static final Logger LOG = LoggerFactory.getLogger(FillInputStream.class);

  private final Fill fill;
  private final BlobSource source;
  private @Nullable FileChannel channel;
  private @Nullable PassThroughInputStream passThrough;
  private long position;
  private boolean closed;

  /**
   * Opens a reader at {@code offset}; bytes not yet there are waited for. {@code source} is asked
   * for the rest of the blob if the store fails.
   */
  FillInputStream(Fill fill, long offset, BlobSource source) throws IOException {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must not be negative: " + offset);
    }
    this.fill = fill;
    this.source = source;
    this.position = offset;
    this.channel = fill.openChannel();
    if (channel == null) {
      // The store failed before this reader had a channel: the whole blob comes from upstream.
      passThrough = bypass(null, 0);
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] bytes, int offset, int length) throws IOException {
    Objects.checkFromIndexSize(offset, length, bytes.length);
    ensureOpen();
    if (length == 0) {
      return 0;
    }
    PassThroughInputStream upstream = passThrough;
    if (upstream != null) {
      return upstream.read(bytes, offset, length);
    }
    FileChannel file = Objects.requireNonNull(channel);
    long readable = fill.awaitReadable(position);
    if (readable == Fill.BYPASS) {
      // The channel still holds the prefix of the deleted temporary file; the pass-through owns it.
      channel = null;
      upstream = bypass(file, fill.prefixLength());
      passThrough = upstream;
      return upstream.read(bytes, offset, length);
    }
    if (readable < 0) {
      return -1;
    }
    int count = (int) Math.min(length, readable);
    ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, count);
    while (buffer.hasRemaining()) {
      if (file.read(buffer, position + buffer.position() - offset) < 0) {
        throw new IOException(
            "the file of " + fill.digest() + " ended before byte " + (position + count));
      }
    }
    position += count;
    return count;
  }

  @Override
  public int available() throws IOException {
    ensureOpen();
    PassThroughInputStream upstream = passThrough;
    if (upstream != null) {
      return upstream.available();
    }
    return (int) Math.min(Integer.MAX_VALUE, fill.readableNow(position));
  }

  @Override
  public void close() throws IOException {
    closed = true;
    FileChannel file = channel;
    PassThroughInputStream upstream = passThrough;
    channel = null;
    passThrough = null;
    try {
      if (upstream != null) {
        upstream.close();
      }
    } finally {
      if (file != null) {
        file.close();
      }
    }
  }

  private PassThroughInputStream bypass(@Nullable FileChannel prefix, long prefixLength) {
    LOG.debug(
        "reader of {} at byte {} continues from the upstream: the store failed ({})",
        fill.digest(),
        position,
        fill.storeFailure().map(Throwable::getMessage).orElse("unknown"));
    return new PassThroughInputStream(
        fill.digest(), source, position, fill.size(), prefix, prefixLength, null);
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("the stream of " + fill.digest() + " is closed");
    }
  }
}
