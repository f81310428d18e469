/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * HTTP/1.1 over a plain {@link Socket}, byte for byte: sends exactly the bytes it is given (however
 * malformed) and reads one response (status line, headers, and a body framed by {@code
 * Content-Length}, chunked, or the connection's end), or reports that the server closed the
 * connection without one.
 *
 * <p>Each call uses its own connection; any thread may call it.
 */
final class RawHttp {

  /** Responses larger than this are cut: hostile requests get short answers. */
  private static final int MAX_RESPONSE = 8 * 1024 * 1024;

  private RawHttp() {}

  /**
   * What came back for one request.
   *
   * @param status the status code, or -1 when the server closed the connection (or reset it) before
   *     a status line, or -2 when nothing arrived within the timeout
   * @param statusLine the status line as sent, empty when there was none
   * @param headers the header fields, names in lower case, each with its values in order
   * @param body the body, decoded from chunks if chunked
   * @param writeFailed whether the server stopped reading the request before it was all sent
   */
  record Response(
      int status,
      String statusLine,
      Map<String, List<String>> headers,
      byte[] body,
      boolean writeFailed) {

    /** Whether the server closed the connection without a response. */
    boolean closedWithoutResponse() {
      return status == -1;
    }

    /** The first value of a header, by case-insensitive name. */
    Optional<String> header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** The body as UTF-8 text. */
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    /** Everything the server sent that a client could read: status line, headers, body. */
    String everything() {
      return statusLine + "\n" + headers + "\n" + text();
    }

    @Override
    public String toString() {
      if (status == -1) {
        return "closed without a response" + (writeFailed ? " (stopped reading the request)" : "");
      }
      if (status == -2) {
        return "no response within the timeout";
      }
      String body = text();
      return statusLine + " " + (body.length() > 300 ? body.substring(0, 300) + "…" : body);
    }
  }

  /**
   * Sends {@code request} to 127.0.0.1:{@code port} and reads one response, giving up after {@code
   * timeout} without data. A {@code HEAD} request's response is read without a body.
   */
  static Response exchange(int port, byte[] request, Duration timeout) throws IOException {
    boolean head = startsWith(request, "HEAD ");
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
      socket.setSoTimeout((int) timeout.toMillis());
      boolean writeFailed = false;
      try {
        OutputStream out = socket.getOutputStream();
        // In pieces, so a server that answers early and closes is noticed between them.
        for (int at = 0; at < request.length; at += 16 * 1024) {
          out.write(request, at, Math.min(16 * 1024, request.length - at));
        }
        out.flush();
      } catch (IOException e) {
        writeFailed = true;
      }
      return read(new BufferedInputStream(socket.getInputStream()), head, writeFailed);
    }
  }

  private static Response read(InputStream in, boolean head, boolean writeFailed)
      throws IOException {
    String statusLine;
    try {
      statusLine = line(in);
    } catch (SocketTimeoutException e) {
      return new Response(-2, "", Map.of(), new byte[0], writeFailed);
    } catch (IOException e) {
      // A reset counts as closing without a response.
      return new Response(-1, "", Map.of(), new byte[0], writeFailed);
    }
    if (statusLine == null) {
      return new Response(-1, "", Map.of(), new byte[0], writeFailed);
    }
    String[] parts = statusLine.split(" ", 3);
    int status;
    try {
      status = parts.length >= 2 ? Integer.parseInt(parts[1]) : 0;
    } catch (NumberFormatException e) {
      status = 0;
    }
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (String line = line(in); line != null && !line.isEmpty(); line = line(in)) {
      int colon = line.indexOf(':');
      String name = (colon < 0 ? line : line.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
      String value = colon < 0 ? "" : line.substring(colon + 1).trim();
      headers.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }
    byte[] body;
    try {
      body = head || status == 204 || status == 304 ? new byte[0] : body(in, headers);
    } catch (SocketTimeoutException e) {
      body = "<body timed out>".getBytes(StandardCharsets.UTF_8);
    }
    return new Response(status, statusLine, Map.copyOf(headers), body, writeFailed);
  }

  private static byte[] body(InputStream in, Map<String, List<String>> headers) throws IOException {
    List<String> encoding = headers.getOrDefault("transfer-encoding", List.of());
    if (encoding.stream().anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("chunked"))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      while (true) {
        String size = line(in);
        if (size == null) {
          return out.toByteArray();
        }
        int semicolon = size.indexOf(';');
        int n = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
        if (n == 0) {
          return out.toByteArray();
        }
        out.write(in.readNBytes(Math.min(n, MAX_RESPONSE - out.size())));
        line(in);
      }
    }
    List<String> length = headers.get("content-length");
    if (length != null && !length.isEmpty()) {
      return in.readNBytes((int) Math.min(Long.parseLong(length.get(0)), MAX_RESPONSE));
    }
    return in.readNBytes(MAX_RESPONSE);
  }

  /** One line without its CRLF (or bare LF), or null at the end of the stream. */
  private static @Nullable String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
      }
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int end =
            bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
      }
      if (line.size() < 128 * 1024) {
        line.write(b);
      }
    }
  }

  private static boolean startsWith(byte[] bytes, String prefix) {
    byte[] p = prefix.getBytes(StandardCharsets.ISO_8859_1);
    if (bytes.length < p.length) {
      return false;
    }
    for (int i = 0; i < p.length; i++) {
      if (bytes[i] != p[i]) {
        return false;
      }
    }
    return true;
  }
}
