/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server;

import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.server.auth.AccessControl;
import dev.cacheproxy.server.http.RegistryHandler;
import dev.cacheproxy.server.transport.AllowlistHandler;
import dev.cacheproxy.server.transport.ListenerOptions;
import dev.cacheproxy.server.transport.ListenerSettings;
import dev.cacheproxy.server.transport.TlsContext;
import dev.cacheproxy.server.transport.TlsException;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.GracefulShutdownHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running cache-proxy HTTP server: Undertow serving a {@link CacheProxy} over the OCI
 * distribution API. Start it with {@link #start}; {@link #close()} stops it and closes the cache.
 *
 * <p>Threading: Undertow's IO threads parse requests and check the listener's allow list; the work
 * of each request runs on its own virtual thread, so thousands of slow clients cost little. {@link
 * #close()} is thread-safe and idempotent, so a shutdown hook and the main thread may both call it.
 */
public final class ProxyServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ProxyServer.class);

  /** How long {@link #close()} lets requests in flight finish before it drops them. */
  private static final long DRAIN_MILLIS = 5_000;

  private final Undertow undertow;
  private final GracefulShutdownHandler shutdown;
  private final ExecutorService executor;
  private final CacheProxy proxy;
  private final @Nullable TlsContext tls;
  private final String scheme;
  private final int port;
  private final AtomicBoolean closed = new AtomicBoolean();

  private ProxyServer(
      Undertow undertow,
      GracefulShutdownHandler shutdown,
      ExecutorService executor,
      CacheProxy proxy,
      @Nullable TlsContext tls,
      String scheme,
      int port) {
    this.undertow = undertow;
    this.shutdown = shutdown;
    this.executor = executor;
    this.proxy = proxy;
    this.tls = tls;
    this.scheme = scheme;
    this.port = port;
  }

  /**
   * Starts serving {@code proxy} over plain HTTP on {@code bindAddress} and {@code port}, accepting
   * every client, with the default limits. The server owns the proxy from here on: {@link #close()}
   * closes it, and so does a failure to start.
   *
   * @param bindAddress the address to listen on, such as {@code 127.0.0.1} or {@code 0.0.0.0}
   * @param port the port, or 0 for any free port ({@link #port()} tells which)
   * @throws IllegalStateException if the server cannot listen, naming the address and the reason
   */
  public static ProxyServer start(CacheProxy proxy, String bindAddress, int port) {
    return start(proxy, ListenerSettings.plain(bindAddress, port));
  }

  /**
   * Starts serving {@code proxy} on the listener {@code listener}: plain HTTP or TLS (reloading its
   * certificate when the files change, HTTP/2 when allowed), its allow list checked first, its
   * connection limits applied. The server owns the proxy from here on: {@link #close()} closes it,
   * and so does a failure to start.
   *
   * @throws TlsException if the certificate or key cannot serve, naming the file and the problem
   * @throws IllegalStateException if the server cannot listen, naming the address and the reason
   */
  public static ProxyServer start(CacheProxy proxy, ListenerSettings listener) {
    return start(proxy, listener, AccessControl.anonymous());
  }

  /**
   * Starts serving {@code proxy} as {@link #start(CacheProxy, ListenerSettings)} does, letting in
   * only the clients {@code access} allows (see {@code auth:} in the configuration).
   *
   * @throws TlsException if the certificate or key cannot serve, naming the file and the problem
   * @throws IllegalStateException if the server cannot listen, naming the address and the reason
   */
  public static ProxyServer start(
      CacheProxy proxy, ListenerSettings listener, AccessControl access) {
    TlsContext tls;
    try {
      tls = listener.tls() == null ? null : TlsContext.start(listener.tls());
    } catch (RuntimeException e) {
      proxy.close();
      throw e;
    }
    ExecutorService executor =
        Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("cache-proxy-request-", 0).factory());
    // The one place the registry API's handler is built.
    HttpHandler registry = new RegistryHandler(proxy, executor, access);
    GracefulShutdownHandler shutdown = Handlers.gracefulShutdown(registry);
    Undertow.Builder builder =
        Undertow.builder()
            .setHandler(AllowlistHandler.wrap("registry", listener.allow(), shutdown));
    ListenerOptions.configure(builder, listener, tls, ListenerOptions.MAX_ENTITY_SIZE);
    Undertow undertow = builder.build();
    try {
      undertow.start();
    } catch (RuntimeException e) {
      try {
        undertow.stop();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      executor.shutdownNow();
      if (tls != null) {
        tls.close();
      }
      proxy.close();
      throw new IllegalStateException(
          "cannot listen on "
              + listener.bindAddress()
              + ":"
              + listener.port()
              + ": "
              + rootMessage(e),
          e);
    }
    InetSocketAddress address =
        (InetSocketAddress) undertow.getListenerInfo().getFirst().getAddress();
    return new ProxyServer(
        undertow, shutdown, executor, proxy, tls, listener.scheme(), address.getPort());
  }

  /** The port the server listens on; the actual one when it was started with port 0. */
  public int port() {
    return port;
  }

  /** The URL scheme clients use: {@code https} when the listener speaks TLS, else {@code http}. */
  public String scheme() {
    return scheme;
  }

  /**
   * Stops the server: refuses new requests, lets requests in flight finish for a few seconds, stops
   * Undertow and closes the {@link CacheProxy}. Calling it again does nothing.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    shutdown.shutdown();
    try {
      if (!shutdown.awaitShutdown(DRAIN_MILLIS)) {
        LOG.info("stopping with requests still in flight");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      undertow.stop();
    } finally {
      if (tls != null) {
        tls.close();
      }
      executor.shutdownNow();
      try {
        if (!executor.awaitTermination(DRAIN_MILLIS, TimeUnit.MILLISECONDS)) {
          LOG.warn("request threads did not stop in time");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        proxy.close();
      }
    }
  }

  // getCause() != root guards against a self-referencing cause: an identity test.
  @SuppressWarnings("ReferenceEquality")
  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
