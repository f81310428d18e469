/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A read-only view of a file that ends early: reads and transfers stop at {@code end} and {@link
 * #size()} reports {@code end}. Undertow's {@code Sender.transferFrom} sends a channel from its
 * position to its size, so a byte range is sent by positioning this view at the range's first byte
 * and ending it after the last; {@link #transferTo} delegates to the real file's, which keeps the
 * kernel's zero-copy {@code sendfile} path.
 *
 * <p>Like the channel it wraps, it is safe for use by one sender at a time. Closing it closes the
 * file.
 */
final class FileRangeChannel extends FileChannel {

  private final FileChannel file;
  private final long end;

  /** Wraps {@code file} so that it ends at byte {@code end} (exclusive). */
  FileRangeChannel(FileChannel file, long end) {
    this.file = file;
    this.end = end;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    long left = end - file.position();
    if (left <= 0) {
      return -1;
    }
    if (dst.remaining() <= left) {
      return file.read(dst);
    }
    int limit = dst.limit();
    dst.limit(dst.position() + (int) left);
    try {
      return file.read(dst);
    } finally {
      dst.limit(limit);
    }
  }

  @Override
  public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    long total = 0;
    for (int i = offset; i < offset + length; i++) {
      if (!dsts[i].hasRemaining()) {
        continue;
      }
      int n = read(dsts[i]);
      if (n < 0) {
        return total == 0 ? -1 : total;
      }
      total += n;
      if (dsts[i].hasRemaining()) {
        break;
      }
    }
    return total;
  }

  @Override
  public int read(ByteBuffer dst, long position) throws IOException {
    long left = end - position;
    if (left <= 0) {
      return -1;
    }
    if (dst.remaining() <= left) {
      return file.read(dst, position);
    }
    int limit = dst.limit();
    dst.limit(dst.position() + (int) left);
    try {
      return file.read(dst, position);
    } finally {
      dst.limit(limit);
    }
  }

  @Override
  public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
    long left = end - position;
    if (left <= 0) {
      return 0;
    }
    return file.transferTo(position, Math.min(count, left), target);
  }

  @Override
  public long position() throws IOException {
    return file.position();
  }

  @Override
  public FileChannel position(long newPosition) throws IOException {
    file.position(newPosition);
    return this;
  }

  @Override
  public long size() throws IOException {
    return Math.min(end, file.size());
  }

  @Override
  public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
    if (position + size > end) {
      throw new IllegalArgumentException("mapping beyond the end of the range");
    }
    return file.map(mode, position, size);
  }

  @Override
  public FileLock lock(long position, long size, boolean shared) throws IOException {
    return file.lock(position, size, shared);
  }

  @Override
  public FileLock tryLock(long position, long size, boolean shared) throws IOException {
    return file.tryLock(position, size, shared);
  }

  @Override
  public void force(boolean metaData) throws IOException {
    file.force(metaData);
  }

  @Override
  public int write(ByteBuffer src) {
    throw new NonWritableChannelException();
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) {
    throw new NonWritableChannelException();
  }

  @Override
  public int write(ByteBuffer src, long position) {
    throw new NonWritableChannelException();
  }

  @Override
  public FileChannel truncate(long size) {
    throw new NonWritableChannelException();
  }

  @Override
  public long transferFrom(ReadableByteChannel src, long position, long count) {
    throw new NonWritableChannelException();
  }

  @Override
  protected void implCloseChannel() throws IOException {
    file.close();
  }
}
