/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import dev.cacheproxy.core.BlobStream;
import dev.cacheproxy.core.ByteRange;
import dev.cacheproxy.core.CacheStatus;
import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.ProxyException;
import dev.cacheproxy.core.StorageException;
import io.undertow.io.IoCallback;
import io.undertow.io.Sender;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends an open blob as the response body, honouring a single {@code Range}.
 *
 * <p>Threading: {@link #send} runs on a dispatched virtual thread, never an IO thread. A complete,
 * verified file goes out zero-copy through Undertow's non-blocking {@link Sender#transferFrom},
 * started and finished on the connection's IO thread ({@link IoThreadResponse}), where its {@link
 * IoCallback} closes the file and the blob. A fill in progress is copied with blocking writes on
 * the calling virtual thread, flushed as bytes arrive. If the fill fails, the connection is closed
 * mid-response so the client sees a truncated transfer and retries; if the client hangs up, the
 * blob is released and the fill goes on in the core.
 */
final class BlobSender {

  /** The size of the chunks a fill in progress is copied in. */
  static final int CHUNK_SIZE = 64 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(BlobSender.class);

  private BlobSender() {}

  /** Sends {@code blob}, taking ownership of it: it is closed when the response is done. */
  static void send(HttpServerExchange exchange, BlobStream blob) {
    Optional<Path> file;
    try {
      file = blob.file();
    } catch (RuntimeException e) {
      blob.close();
      throw e;
    }
    if (file.isPresent()) {
      sendFile(exchange, blob, file.get());
    } else {
      sendFill(exchange, blob);
    }
  }

  /**
   * Sets the headers of a blob response: type, digest, ETag, {@code Accept-Ranges}, {@code
   * X-Cache}, and for a range {@code 206} with {@code Content-Range}; the length when known.
   */
  static void headers(
      HttpServerExchange exchange,
      Digest digest,
      CacheStatus status,
      long size,
      @Nullable ByteRange range) {
    HeaderMap headers = exchange.getResponseHeaders();
    headers.put(Headers.CONTENT_TYPE, "application/octet-stream");
    headers.put(OciHeaders.CONTENT_DIGEST, digest.toString());
    headers.put(Headers.ETAG, "\"" + digest + "\"");
    headers.put(Headers.ACCEPT_RANGES, "bytes");
    headers.put(OciHeaders.X_CACHE, status.name());
    if (range != null) {
      exchange.setStatusCode(206);
      headers.put(
          Headers.CONTENT_RANGE, "bytes " + range.first() + "-" + range.last() + "/" + size);
      exchange.setResponseContentLength(range.length());
    } else if (size >= 0) {
      exchange.setResponseContentLength(size);
    }
  }

  private static void sendFile(HttpServerExchange exchange, BlobStream blob, Path path) {
    FileChannel channel = null;
    boolean handedOff = false;
    try {
      channel = FileChannel.open(path, StandardOpenOption.READ);
      long size = channel.size();
      ByteRange range = range(exchange, blob.digest(), size);
      FileChannel source = channel;
      if (range != null) {
        channel.position(range.first());
        if (range.last() + 1 < size) {
          source = new FileRangeChannel(channel, range.last() + 1);
        }
      }
      headers(exchange, blob.digest(), blob.status(), size, range);
      handedOff = true;
      IoThreadResponse.transfer(exchange, source, new Release(blob, source));
    } catch (IOException e) {
      throw new StorageException("cannot read cached blob " + blob.digest(), e);
    } finally {
      if (!handedOff) {
        closeQuietly(channel);
        blob.close();
      }
    }
  }

  private static void sendFill(HttpServerExchange exchange, BlobStream blob) {
    try (blob) {
      long size = blob.size();
      ByteRange range = size >= 0 ? range(exchange, blob.digest(), size) : null;
      InputStream in;
      try {
        in = blob.open(range == null ? 0 : range.first());
      } catch (IOException e) {
        throw new ProxyException(
            OciErrorCode.UNAVAILABLE,
            "blob " + blob.digest() + " cannot be read: " + e.getMessage(),
            e);
      }
      try {
        headers(exchange, blob.digest(), blob.status(), size, range);
        exchange.startBlocking();
        copy(exchange, blob.digest(), in, range == null ? size : range.length());
      } finally {
        closeQuietly(in);
      }
    }
  }

  /** Copies {@code length} bytes (all of them when -1), flushing each chunk as it arrives. */
  private static void copy(
      HttpServerExchange exchange, Digest digest, InputStream in, long length) {
    OutputStream out = exchange.getOutputStream();
    byte[] buffer = new byte[CHUNK_SIZE];
    long remaining = length < 0 ? Long.MAX_VALUE : length;
    long sent = 0;
    while (remaining > 0) {
      int n;
      try {
        n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
      } catch (IOException e) {
        LOG.warn(
            "blob {}: reading failed after {} bytes ({}); closing the connection so the client"
                + " retries",
            digest,
            sent,
            e.toString());
        ErrorResponder.abort(exchange);
        return;
      }
      if (n < 0) {
        if (length >= 0) {
          LOG.warn(
              "blob {}: ended after {} of {} bytes; closing the connection so the client retries",
              digest,
              sent,
              length);
          ErrorResponder.abort(exchange);
        }
        return;
      }
      try {
        out.write(buffer, 0, n);
        out.flush();
      } catch (IOException e) {
        LOG.debug("blob {}: the client went away after {} bytes: {}", digest, sent, e.toString());
        ErrorResponder.abort(exchange);
        return;
      }
      remaining -= n;
      sent += n;
    }
  }

  /**
   * The range the request asks for, or null for the whole blob. A range that cannot be satisfied
   * gets <code>Content-Range: bytes &#42;/size</code> and a {@code RANGE_INVALID} error. An {@code
   * If-Range} that does not name this blob's ETag asks for the whole blob.
   */
  private static @Nullable ByteRange range(HttpServerExchange exchange, Digest digest, long size) {
    String ifRange = exchange.getRequestHeaders().getFirst(Headers.IF_RANGE);
    if (ifRange != null && !ifRange.equals("\"" + digest + "\"")) {
      return null;
    }
    try {
      return ByteRange.parse(exchange.getRequestHeaders().getFirst(Headers.RANGE), size)
          .orElse(null);
    } catch (ProxyException e) {
      if (e.code() == OciErrorCode.RANGE_INVALID) {
        exchange.getResponseHeaders().put(Headers.CONTENT_RANGE, "bytes */" + size);
      }
      throw e;
    }
  }

  private static void closeQuietly(@Nullable AutoCloseable closeable) {
    if (closeable == null) {
      return;
    }
    try {
      closeable.close();
    } catch (Exception e) {
      LOG.debug("closing {} failed", closeable, e);
    }
  }

  /** Closes the file and the blob once a zero-copy transfer is done, then ends the exchange. */
  private static final class Release implements IoCallback {
    private final BlobStream blob;
    private final FileChannel channel;
    private final AtomicBoolean released = new AtomicBoolean();

    Release(BlobStream blob, FileChannel channel) {
      this.blob = blob;
      this.channel = channel;
    }

    @Override
    public void onComplete(HttpServerExchange exchange, Sender sender) {
      release();
      IoCallback.END_EXCHANGE.onComplete(exchange, sender);
    }

    @Override
    public void onException(HttpServerExchange exchange, Sender sender, IOException exception) {
      release();
      LOG.debug("blob {}: sending the cached file failed: {}", blob.digest(), exception.toString());
      IoCallback.END_EXCHANGE.onException(exchange, sender, exception);
    }

    private void release() {
      if (released.compareAndSet(false, true)) {
        closeQuietly(channel);
        blob.close();
      }
    }
  }
}
