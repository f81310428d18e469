/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server;

import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.server.http.RegistryHandler;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.handlers.GracefulShutdownHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running cache-proxy HTTP server: Undertow serving a {@link CacheProxy} over the OCI
 * distribution API. Start it with {@link #start}; {@link #close()} stops it and closes the cache.
 *
 * <p>Threading: Undertow's IO threads parse requests; the work of each request runs on its own
 * virtual thread, so thousands of slow clients cost little. {@link #close()} is thread-safe and
 * idempotent, so a shutdown hook and the main thread may both call it.
 */
public final class ProxyServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ProxyServer.class);

  /** How long {@link #close()} lets requests in flight finish before it drops them. */
  private static final long DRAIN_MILLIS = 5_000;

  /** How long a keep-alive connection may wait for its next request. */
  private static final int IDLE_CONNECTION_MILLIS = 60_000;

  /** How long a client may take to send a request's headers. */
  private static final int REQUEST_PARSE_MILLIS = 30_000;

  private final Undertow undertow;
  private final GracefulShutdownHandler shutdown;
  private final ExecutorService executor;
  private final CacheProxy proxy;
  private final int port;
  private final AtomicBoolean closed = new AtomicBoolean();

  private ProxyServer(
      Undertow undertow,
      GracefulShutdownHandler shutdown,
      ExecutorService executor,
      CacheProxy proxy,
      int port) {
    this.undertow = undertow;
    this.shutdown = shutdown;
    this.executor = executor;
    this.proxy = proxy;
    this.port = port;
  }

  /**
   * Starts serving {@code proxy} on {@code bindAddress} and {@code port}. The server owns the proxy
   * from here on: {@link #close()} closes it, and so does a failure to start.
   *
   * @param bindAddress the address to listen on, such as {@code 127.0.0.1} or {@code 0.0.0.0}
   * @param port the port, or 0 for any free port ({@link #port()} tells which)
   * @throws IllegalStateException if the server cannot listen, naming the address and the reason
   */
  public static ProxyServer start(CacheProxy proxy, String bindAddress, int port) {
    ExecutorService executor =
        Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("cache-proxy-request-", 0).factory());
    GracefulShutdownHandler shutdown =
        Handlers.gracefulShutdown(new RegistryHandler(proxy, executor));
    Undertow undertow =
        Undertow.builder()
            .addHttpListener(port, bindAddress)
            .setHandler(shutdown)
            .setServerOption(UndertowOptions.ENABLE_HTTP2, false)
            .setServerOption(UndertowOptions.ALWAYS_SET_DATE, true)
            .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, IDLE_CONNECTION_MILLIS)
            .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, REQUEST_PARSE_MILLIS)
            .build();
    try {
      undertow.start();
    } catch (RuntimeException e) {
      try {
        undertow.stop();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      executor.shutdownNow();
      proxy.close();
      throw new IllegalStateException(
          "cannot listen on " + bindAddress + ":" + port + ": " + rootMessage(e), e);
    }
    InetSocketAddress address =
        (InetSocketAddress) undertow.getListenerInfo().getFirst().getAddress();
    return new ProxyServer(undertow, shutdown, executor, proxy, address.getPort());
  }

  /** The port the server listens on; the actual one when it was started with port 0. */
  public int port() {
    return port;
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
