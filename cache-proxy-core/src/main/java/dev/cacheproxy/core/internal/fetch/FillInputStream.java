/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Objects;

/**
 * Reads a blob while it is being filled: through its own channel on the growing file, never past
 * what the {@link Fill} allows, waiting for more bytes as they arrive.
 *
 * <p>Concurrency: one reading thread, like any {@link InputStream}. Closing it releases only this
 * reader's channel; the fill goes on.
 */
final class FillInputStream extends InputStream {

  private final Fill fill;
  private final FileChannel channel;
  private long position;
  private boolean closed;

  /** Opens a reader at {@code offset}; bytes not yet there are waited for. */
  FillInputStream(Fill fill, long offset) throws IOException {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must not be negative: " + offset);
    }
    this.fill = fill;
    this.channel = fill.openChannel();
    this.position = offset;
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
    long readable = fill.awaitReadable(position);
    if (readable < 0) {
      return -1;
    }
    int count = (int) Math.min(length, readable);
    ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, count);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, position + buffer.position() - offset) < 0) {
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
    return (int) Math.min(Integer.MAX_VALUE, fill.readableNow(position));
  }

  @Override
  public void close() throws IOException {
    closed = true;
    channel.close();
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("the stream of " + fill.digest() + " is closed");
    }
  }
}
