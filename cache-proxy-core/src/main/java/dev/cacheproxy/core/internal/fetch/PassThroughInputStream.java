/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.fetch;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.ProxyException;
import dev.cacheproxy.core.internal.fetch.BlobFetcher.BlobSource;
import dev.cacheproxy.core.internal.upstream.UpstreamBlob;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Reads a blob straight from the upstream, without caching it, from a reader's position, and
 * releases its last byte only once the whole blob hashed to its digest: used when the store could
 * not take the blob (for example when the disk is full).
 *
 * <p>The digest covers every byte of the blob, also those before the reader's position. They are
 * hashed first: the first {@code prefixLength} bytes from a channel on the (possibly deleted)
 * temporary file of the failed fill, from which the reader already took them, and the rest from the
 * upstream without being delivered. The upstream is asked for a range from the first byte not in
 * the prefix; an upstream that ignores ranges (answers from 0) has the bytes before it skipped, and
 * one that answers from a later offset than asked is refused. A digest or size mismatch, an
 * upstream failure, or a body that ends early all end the stream with an {@link IOException}, so
 * the client sees a broken transfer, never a complete wrong blob.
 *
 * <p>Concurrency: one reading thread, like any {@link InputStream}. It owns the prefix channel and
 * the upstream response, and closes both; the prefix channel as soon as it was hashed, so that the
 * space of a deleted temporary file is freed early.
 */
final class PassThroughInputStream extends InputStream {

  private static final int CHUNK_SIZE = 64 * 1024;

  private final Digest digest;
  private final BlobSource source;
  private final long start;
  private final MessageDigest hasher;
  private final byte[] buffer = new byte[CHUNK_SIZE];
  private @Nullable FileChannel prefix;
  private long prefixLength;
  private @Nullable UpstreamBlob upstream;
  private long size;

  /** The position in the blob of the next byte to hash. */
  private long next;

  /** Hashed bytes not yet delivered: {@code buffer[bufferStart, bufferEnd)}. */
  private int bufferStart;

  private int bufferEnd;
  private boolean positioned;
  private boolean verified;
  private boolean closed;
  private @Nullable IOException failure;

  /**
   * Creates the stream; it reads nothing before the first {@link #read}.
   *
   * @param digest the blob's digest, which every byte is checked against
   * @param source opens the upstream from an offset
   * @param start the position of the first byte to deliver
   * @param size the blob's size, or -1 if unknown (then the upstream's is taken)
   * @param prefix a channel whose first {@code prefixLength} bytes are the blob's, or null
   * @param prefixLength how many bytes of {@code prefix} to hash instead of asking the upstream
   * @param opened an upstream response whose offset (0) and size were checked, to read first
   *     instead of opening one; only without a prefix
   */
  PassThroughInputStream(
      Digest digest,
      BlobSource source,
      long start,
      long size,
      @Nullable FileChannel prefix,
      long prefixLength,
      @Nullable UpstreamBlob opened) {
    if (start < 0) {
      throw new IllegalArgumentException("offset must not be negative: " + start);
    }
    this.digest = digest;
    this.source = source;
    this.start = start;
    this.size = size;
    this.hasher = digest.newMessageDigest();
    this.prefix = prefix;
    // Only the bytes before the reader's position come from the prefix; the rest from upstream.
    this.prefixLength = prefix == null ? 0 : Math.max(0, Math.min(prefixLength, start));
    this.upstream = opened;
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
    IOException failed = failure;
    if (failed != null) {
      throw new IOException(failed.getMessage(), failed);
    }
    try {
      return readVerified(bytes, offset, length);
    } catch (IOException e) {
      failure = e;
      throw e;
    }
  }

  private int readVerified(byte[] bytes, int offset, int length) throws IOException {
    if (!positioned) {
      hashUpTo(start);
      positioned = true;
    }
    while (true) {
      // Until the digest is verified, the last hashed byte stays back: it may be the blob's last.
      int deliverable = bufferEnd - bufferStart - (verified ? 0 : 1);
      if (deliverable > 0) {
        int count = Math.min(length, deliverable);
        System.arraycopy(buffer, bufferStart, bytes, offset, count);
        bufferStart += count;
        return count;
      }
      if (verified) {
        return -1;
      }
      refill();
    }
  }

  @Override
  public int available() throws IOException {
    ensureOpen();
    return Math.max(0, bufferEnd - bufferStart - (verified ? 0 : 1));
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      closePrefix();
    } finally {
      UpstreamBlob response = upstream;
      upstream = null;
      if (response != null) {
        response.close();
      }
    }
  }

  /** Hashes the bytes before {@code position} without delivering them. */
  private void hashUpTo(long position) throws IOException {
    while (next < position) {
      int n = readSource(buffer, 0, (int) Math.min(buffer.length, position - next));
      if (n < 0) {
        // The blob ends before the reader's position: there is nothing to deliver.
        finish();
        return;
      }
    }
    closePrefix();
  }

  /** Reads more hashed bytes into the buffer, keeping the one held back; verifies at the end. */
  private void refill() throws IOException {
    int held = bufferEnd - bufferStart;
    if (held > 0) {
      System.arraycopy(buffer, bufferStart, buffer, 0, held);
    }
    bufferStart = 0;
    bufferEnd = held;
    int n = readSource(buffer, bufferEnd, buffer.length - bufferEnd);
    if (n < 0) {
      finish();
    } else {
      bufferEnd += n;
    }
  }

  /**
   * Reads and hashes the next bytes of the blob (from the prefix, then the upstream); returns how
   * many, or -1 at the end of the blob.
   */
  private int readSource(byte[] into, int offset, int length) throws IOException {
    int n;
    if (size >= 0 && next >= size) {
      return -1;
    }
    long wanted = size >= 0 ? Math.min(length, size - next) : length;
    FileChannel channel = prefix;
    if (channel != null && next < prefixLength) {
      int count = (int) Math.min(wanted, prefixLength - next);
      n = channel.read(ByteBuffer.wrap(into, offset, count), next);
      if (n < 0) {
        throw new IOException(
            "the temporary file of " + digest + " ended at byte " + next + " of " + prefixLength);
      }
    } else {
      n = upstreamBody().read(into, offset, (int) wanted);
      if (n < 0) {
        return -1;
      }
    }
    hasher.update(into, offset, n);
    next += n;
    return n;
  }

  /** The upstream body, positioned at {@code next}; opens the upstream on first use. */
  private InputStream upstreamBody() throws IOException {
    UpstreamBlob response = upstream;
    if (response == null) {
      try {
        response = source.open(next);
      } catch (ProxyException e) {
        throw new IOException(
            "fetching " + digest + " from byte " + next + " failed: " + e.getMessage(), e);
      }
      upstream = response;
      align(response, next);
    }
    return response.body();
  }

  /** Checks the response's offset and size, and skips what it sent before {@code position}. */
  private void align(UpstreamBlob response, long position) throws IOException {
    if (response.offset() > position) {
      throw new IOException(
          "upstream answered a request for "
              + digest
              + " from byte "
              + position
              + " with bytes from "
              + response.offset());
    }
    long total = response.totalSize();
    if (total >= 0) {
      if (size >= 0 && total != size) {
        throw new IOException("upstream says " + digest + " has " + total + " bytes, not " + size);
      }
      size = total;
    }
    // An upstream that ignores Range answers from 0: skip what was already hashed.
    response.body().skipNBytes(position - response.offset());
  }

  /** At the end of the blob: checks its size and digest, and releases the last byte. */
  private void finish() throws IOException {
    closePrefix();
    if (size >= 0 && next != size) {
      throw new IOException(
          "upstream sent " + next + " of the " + size + " bytes of " + digest + " and ended");
    }
    Digest actual = new Digest(digest.algorithm(), HexFormat.of().formatHex(hasher.digest()));
    if (!actual.equals(digest)) {
      throw new IOException(
          "content fetched as " + digest + " hashed to " + actual + " (" + next + " bytes)");
    }
    verified = true;
    UpstreamBlob response = upstream;
    upstream = null;
    if (response != null) {
      response.close();
    }
  }

  private void closePrefix() throws IOException {
    FileChannel channel = prefix;
    prefix = null;
    prefixLength = 0;
    if (channel != null) {
      channel.close();
    }
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("the stream of " + digest + " is closed");
    }
  }
}
