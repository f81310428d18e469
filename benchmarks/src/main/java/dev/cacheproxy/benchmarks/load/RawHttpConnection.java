/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks.load;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP/1.1 keep-alive connection to 127.0.0.1 over a blocking socket, for GETs only: writes a
 * request, parses the status line and headers, and streams the body ({@code Content-Length},
 * chunked, or until EOF) through one reused 256 KiB buffer, so the body loop allocates nothing.
 *
 * <p>Not thread-safe: one thread uses it at a time, except {@link #close()}, which another thread
 * may call to abort a blocked read.
 */
final class RawHttpConnection implements Closeable {
  static final int BUFFER_BYTES = 256 * 1024;
  private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
  private static final int READ_TIMEOUT_MILLIS = 120_000;

  /** Receives body bytes; returns false to stop reading (the connection is then unusable). */
  @FunctionalInterface
  interface BodySink {
    /** Accepts {@code length} body bytes of {@code buffer} from {@code offset}. */
    boolean accept(byte[] buffer, int offset, int length) throws IOException;
  }

  /** The status line and the headers that matter to a GET, of one response. */
  record Head(
      int status, long contentLength, boolean chunked, boolean close, @Nullable String location) {
    /** Returns whether the status is 2xx. */
    boolean successful() {
      return status >= 200 && status < 300;
    }
  }

  private final int port;
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final byte[] buffer = new byte[BUFFER_BYTES];
  private int position;
  private int limit;
  private int exchanges;
  private boolean reusable = true;

  private RawHttpConnection(int port, Socket socket) throws IOException {
    this.port = port;
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  /** Opens a connection to 127.0.0.1:{@code port} (connect timeout 10 s, read timeout 120 s). */
  static RawHttpConnection open(int port) throws IOException {
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(READ_TIMEOUT_MILLIS);
      socket.connect(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), port), CONNECT_TIMEOUT_MILLIS);
      return new RawHttpConnection(port, socket);
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  /** Returns the port this connection goes to. */
  int port() {
    return port;
  }

  /** Returns whether a further request may go on this connection. */
  boolean reusable() {
    return reusable && !socket.isClosed();
  }

  /** Returns whether this connection has carried a complete exchange before. */
  boolean used() {
    return exchanges > 0;
  }

  /** Writes a GET request for {@code target} (path and query) with the extra headers. */
  void writeRequest(String target, Map<String, String> headers) throws IOException {
    StringBuilder request = new StringBuilder(128);
    request.append("GET ").append(target).append(" HTTP/1.1\r\n");
    request.append("Host: 127.0.0.1:").append(port).append("\r\n");
    request.append("User-Agent: cache-proxy-load\r\n");
    headers.forEach(
        (name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
    request.append("\r\n");
    out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** Reads the status line and headers of the next final (non-1xx) response. */
  Head readHead() throws IOException {
    while (true) {
      String statusLine = readLine();
      if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
        throw new ProtocolException("bad status line: " + statusLine);
      }
      int status = (int) parseNumber(statusLine.substring(9, 12), 10, statusLine);
      boolean close = statusLine.startsWith("HTTP/1.0");
      long contentLength = -1;
      boolean chunked = false;
      String location = null;
      for (String line = readLine(); !line.isEmpty(); line = readLine()) {
        int colon = line.indexOf(':');
        if (colon <= 0) {
          throw new ProtocolException("bad header line: " + line);
        }
        String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = line.substring(colon + 1).trim();
        switch (name) {
          case "content-length" -> contentLength = parseNumber(value, 10, line);
          case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
          case "connection" -> {
            String tokens = value.toLowerCase(Locale.ROOT);
            close = tokens.contains("close") || (close && !tokens.contains("keep-alive"));
          }
          case "location" -> location = value;
          default -> {}
        }
      }
      if (status >= 100 && status < 200) {
        continue;
      }
      if (status == 204 || status == 304) {
        contentLength = 0;
        chunked = false;
      }
      return new Head(status, chunked ? -1 : contentLength, chunked, close, location);
    }
  }

  /**
   * Reads the body of {@code head} through {@code sink}; returns false if the sink stopped early,
   * in which case the connection is closed.
   */
  boolean readBody(Head head, BodySink sink) throws IOException {
    boolean complete;
    if (head.chunked()) {
      complete = readChunked(sink);
    } else if (head.contentLength() >= 0) {
      complete = readFixed(head.contentLength(), sink);
    } else {
      complete = readToEnd(sink);
      reusable = false;
    }
    if (!complete) {
      close();
      return false;
    }
    exchanges++;
    if (head.close()) {
      reusable = false;
      close();
    }
    return true;
  }

  private boolean readFixed(long length, BodySink sink) throws IOException {
    long remaining = length;
    while (remaining > 0) {
      if (position == limit && fill() < 0) {
        throw new EOFException("connection closed with " + remaining + " body bytes to come");
      }
      int n = (int) Math.min(limit - position, remaining);
      int offset = position;
      position += n;
      remaining -= n;
      if (!sink.accept(buffer, offset, n)) {
        return false;
      }
    }
    return true;
  }

  private boolean readChunked(BodySink sink) throws IOException {
    while (true) {
      String sizeLine = readLine();
      int semicolon = sizeLine.indexOf(';');
      String hex = (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim();
      long size = parseNumber(hex, 16, sizeLine);
      if (size == 0) {
        while (!readLine().isEmpty()) {
          // Skip the trailer fields.
        }
        return true;
      }
      if (!readFixed(size, sink)) {
        return false;
      }
      if (!readLine().isEmpty()) {
        throw new ProtocolException("chunk not followed by CRLF");
      }
    }
  }

  private boolean readToEnd(BodySink sink) throws IOException {
    while (position < limit || fill() >= 0) {
      int offset = position;
      int n = limit - position;
      position = limit;
      if (!sink.accept(buffer, offset, n)) {
        return false;
      }
    }
    return true;
  }

  private static long parseNumber(String digits, int radix, String line) throws ProtocolException {
    try {
      long value = Long.parseLong(digits, radix);
      if (value < 0) {
        throw new NumberFormatException(digits);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new ProtocolException("bad number in: " + line);
    }
  }

  /** Reads into the empty buffer; returns the count read or -1 at EOF. */
  private int fill() throws IOException {
    position = 0;
    limit = 0;
    int n = in.read(buffer, 0, buffer.length);
    if (n > 0) {
      limit = n;
    }
    return n;
  }

  /** Reads one CRLF- (or LF-) terminated line, in ISO-8859-1, without the terminator. */
  private String readLine() throws IOException {
    int scanned = position;
    while (true) {
      for (int i = scanned; i < limit; i++) {
        if (buffer[i] == '\n') {
          int end = i > position && buffer[i - 1] == '\r' ? i - 1 : i;
          String line = new String(buffer, position, end - position, StandardCharsets.ISO_8859_1);
          position = i + 1;
          return line;
        }
      }
      if (position > 0) {
        System.arraycopy(buffer, position, buffer, 0, limit - position);
        limit -= position;
        position = 0;
      }
      scanned = limit;
      if (limit == buffer.length) {
        throw new ProtocolException("header line longer than " + buffer.length + " bytes");
      }
      int n = in.read(buffer, limit, buffer.length - limit);
      if (n < 0) {
        throw new EOFException("connection closed before the end of a line");
      }
      limit += n;
    }
  }

  /** Closes the socket; safe from any thread. */
  @Override
  public void close() {
    reusable = false;
    try {
      socket.close();
    } catch (IOException e) {
      // Nothing to do: the socket is gone either way.
    }
  }
}
