/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Locale;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.EofSensorInputStream;
import org.jspecify.annotations.Nullable;

/**
 * Helpers to read headers and bounded bodies from HttpClient responses and to hand their
 * connections back.
 *
 * <p>Closing a classic HttpClient response (or its content stream) before the body's end drains the
 * rest of the body so the connection can be reused, which for a half-read blob would mean
 * downloading gigabytes nobody wants. {@link #abort} instead closes the socket: a connection whose
 * body was not read to the end is never reused.
 */
final class Responses {

  /** Parses upstream JSON (manifests, tag lists, tokens, error bodies). */
  static final ObjectMapper JSON = new ObjectMapper();

  /** Bodies of unwanted answers up to this size are read so the connection can be reused. */
  private static final int DISCARD_LIMIT = 16 * 1024;

  private Responses() {}

  /** The first value of a header, trimmed, or null when absent or blank. */
  static @Nullable String header(ClassicHttpResponse response, String name) {
    Header h = response.getFirstHeader(name);
    if (h == null || h.getValue() == null || h.getValue().isBlank()) {
      return null;
    }
    return h.getValue().trim();
  }

  /** The Content-Length, or -1 when absent or malformed. */
  static long contentLength(ClassicHttpResponse response) {
    String value = header(response, "Content-Length");
    if (value == null) {
      return -1;
    }
    try {
      long n = Long.parseLong(value);
      return n >= 0 ? n : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The Content-Type without parameters, lower-cased, or null when absent. */
  static @Nullable String mediaType(ClassicHttpResponse response) {
    String value = header(response, "Content-Type");
    if (value == null) {
      return null;
    }
    int semicolon = value.indexOf(';');
    String type = (semicolon >= 0 ? value.substring(0, semicolon) : value).trim();
    return type.isEmpty() ? null : type.toLowerCase(Locale.ROOT);
  }

  /** The body stream, or an empty stream when the response has no body. */
  static InputStream body(ClassicHttpResponse response) throws IOException {
    HttpEntity entity = response.getEntity();
    InputStream in = entity == null ? null : entity.getContent();
    return in == null ? InputStream.nullInputStream() : in;
  }

  /**
   * Reads the body if it holds at most {@code limit} bytes; returns null (and aborts the
   * connection) if it is longer. The connection is released for reuse when the body was read to its
   * end and aborted otherwise.
   */
  static byte @Nullable [] readAtMost(ClassicHttpResponse response, int limit) throws IOException {
    InputStream in = body(response);
    boolean complete = false;
    try {
      byte[] bytes = in.readNBytes(limit);
      if (in.read() != -1) {
        return null;
      }
      complete = true;
      return bytes;
    } finally {
      if (complete) {
        close(response);
      } else {
        abort(response, in);
      }
    }
  }

  /**
   * Gives the connection of an unwanted answer back: a short body is read to its end so the
   * connection can be reused; a longer one is aborted.
   */
  static void discard(ClassicHttpResponse response) {
    try {
      readAtMost(response, DISCARD_LIMIT);
    } catch (IOException e) {
      // readAtMost aborted the connection.
    }
  }

  /** Closes the connection under a response whose body will not be read. */
  static void abort(ClassicHttpResponse response) {
    InputStream in;
    try {
      in = body(response);
    } catch (IOException e) {
      in = InputStream.nullInputStream();
    }
    abort(response, in);
  }

  /**
   * Closes the connection under {@code in} unless its body already reached its end, in which case
   * the connection went back to the pool then. Never reads from the socket.
   */
  static void abort(ClassicHttpResponse response, InputStream in) {
    try {
      if (in instanceof EofSensorInputStream sensor) {
        sensor.abort();
        return;
      }
      if (response.getEntity() == null) {
        response.close();
        return;
      }
      // An entity HttpClient did not wrap: no pooled connection sits under it.
      in.close();
    } catch (IOException e) {
      // The connection is gone either way.
    }
  }

  /** Closes a response whose body (if any) was read to its end, releasing the connection. */
  static void close(ClassicHttpResponse response) {
    try {
      response.close();
    } catch (IOException e) {
      // Released or discarded either way.
    }
  }

  /** The scheme, host and port of a URL, for comparing origins and for messages. */
  static String origin(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    int port = uri.getPort();
    if (port == -1) {
      port = "https".equals(scheme) ? 443 : "http".equals(scheme) ? 80 : -1;
    }
    String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
    return scheme + "://" + host + ":" + port;
  }

  /** A URL without its query string or fragment, which may carry signatures, for messages. */
  static String redacted(URI uri) {
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String scheme = uri.getScheme() == null ? "" : uri.getScheme();
    String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
    int at = authority.lastIndexOf('@');
    return scheme + "://" + (at >= 0 ? authority.substring(at + 1) : authority) + path;
  }
}
