/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.transport;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.xnio.Options;
import org.xnio.Sequence;

/**
 * Sets up one Undertow listener from its {@link ListenerSettings}: plain HTTP or HTTPS (TLS 1.3 and
 * 1.2, HTTP/2 by ALPN when allowed), the connection limits, and the request-size limits that keep
 * hostile input small.
 *
 * <p>How the limits work: {@code maxConnections} is XNIO's connection high water (equal to the low
 * water), split across the IO threads, so a listener never has more IO threads than connections;
 * beyond it new connections wait in the kernel's accept backlog until one closes. {@code
 * idleTimeout} closes keep-alive connections that send no next request (also a fresh connection
 * that sends nothing), {@code requestTimeout} closes one still sending its request line and headers
 * after that long. {@code writeTimeout} is XNIO's write timeout: it closes a connection whose
 * response makes no progress for that long because the client reads nothing; every byte the client
 * takes restarts it, so a slow but steady download goes on.
 */
public final class ListenerOptions {

  /** The most bytes of request headers. */
  public static final int MAX_HEADER_SIZE = 64 * 1024;

  /** The most request headers. */
  public static final int MAX_HEADERS = 128;

  /** The most query parameters. */
  public static final int MAX_PARAMETERS = 128;

  /** The largest request body the registry listener reads (it takes no uploads). */
  public static final long MAX_ENTITY_SIZE = 64 * 1024;

  private ListenerOptions() {}

  /**
   * Adds the listener of {@code listener} to {@code builder}: HTTPS with {@code tls}'s context when
   * given, else plain HTTP, with the connection limits and the request limits.
   *
   * @param tls the TLS context of {@code listener.tls()}; null for plain HTTP
   * @param maxEntitySize the largest request body accepted
   */
  public static Undertow.Builder configure(
      Undertow.Builder builder,
      ListenerSettings listener,
      @Nullable TlsContext tls,
      long maxEntitySize) {
    if (tls == null) {
      builder.addHttpListener(listener.port(), listener.bindAddress());
      builder.setServerOption(UndertowOptions.ENABLE_HTTP2, false);
    } else {
      builder.addHttpsListener(listener.port(), listener.bindAddress(), tls.sslContext());
      builder.setServerOption(UndertowOptions.ENABLE_HTTP2, tls.settings().http2());
      builder.setSocketOption(Options.SSL_ENABLED_PROTOCOLS, Sequence.of(TlsContext.PROTOCOLS));
    }
    ConnectionLimits limits = listener.limits();
    builder.setIoThreads(ioThreads(limits));
    builder.setSocketOption(Options.CONNECTION_HIGH_WATER, limits.maxConnections());
    builder.setSocketOption(Options.CONNECTION_LOW_WATER, limits.maxConnections());
    builder.setSocketOption(Options.WRITE_TIMEOUT, millis(limits.writeTimeout()));
    builder.setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, millis(limits.idleTimeout()));
    builder.setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, millis(limits.requestTimeout()));
    builder.setServerOption(UndertowOptions.ALWAYS_SET_DATE, true);
    builder.setServerOption(UndertowOptions.MAX_HEADER_SIZE, MAX_HEADER_SIZE);
    builder.setServerOption(UndertowOptions.MAX_HEADERS, MAX_HEADERS);
    builder.setServerOption(UndertowOptions.MAX_PARAMETERS, MAX_PARAMETERS);
    builder.setServerOption(UndertowOptions.MAX_ENTITY_SIZE, maxEntitySize);
    // %2F stays encoded, so it cannot split a repository name (ALLOW_ENCODED_SLASH false).
    builder.setServerOption(UndertowOptions.DECODE_SLASH, false);
    builder.setServerOption(UndertowOptions.DECODE_URL, true);
    builder.setServerOption(UndertowOptions.URL_CHARSET, StandardCharsets.UTF_8.name());
    return builder;
  }

  /**
   * The IO threads of a listener: Undertow's default (the processors, at least 2), but never more
   * than {@code maxConnections}, which XNIO splits across them.
   */
  static int ioThreads(ConnectionLimits limits) {
    int standard = Math.max(Runtime.getRuntime().availableProcessors(), 2);
    return Math.min(standard, limits.maxConnections());
  }

  private static int millis(Duration duration) {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, duration.toMillis()));
  }
}
