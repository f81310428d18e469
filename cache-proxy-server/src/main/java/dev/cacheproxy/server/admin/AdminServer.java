/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.admin;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener: an Undertow server of its own, apart from the registry API, answering {@code
 * GET} and {@code HEAD} on {@code /metrics} (the Prometheus registry), {@code /healthz} (the
 * process runs) and {@code /readyz} ({@link Readiness}), and the {@link AdminApi} under {@code
 * /admin/} when given one (it has no authentication: keep the listener on loopback). Start it with
 * {@link #start}; {@link #close()} stops it.
 *
 * <p>Threading: one IO thread parses requests and hands each to a small worker pool of its own
 * ({@link #WORKER_THREADS} threads), where scraping and the readiness probe run, so a slow scrape
 * never holds up the registry listener or an IO thread. {@link #close()} is thread-safe and
 * idempotent, so a shutdown hook and the main thread may both call it.
 */
public final class AdminServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

  /**
   * The threads that scrape, probe and answer the admin API (a purge or a reload holds one while it
   * runs; warms run on threads of their own).
   */
  static final int WORKER_THREADS = 4;

  /** How long a client may take to send a request's headers, or idle between requests. */
  private static final int TIMEOUT_MILLIS = 30_000;

  private final Undertow undertow;
  private final String bindAddress;
  private final int port;
  private final AtomicBoolean closed = new AtomicBoolean();

  private AdminServer(Undertow undertow, String bindAddress, int port) {
    this.undertow = undertow;
    this.bindAddress = bindAddress;
    this.port = port;
  }

  /**
   * Starts the admin listener on {@code bindAddress} and {@code port} and logs its address. The
   * registry and the readiness stay the caller's: {@link #close()} closes neither.
   *
   * @param port the port, or 0 for any free port ({@link #port()} tells which)
   * @throws IllegalStateException if it cannot listen, naming the address and the reason
   */
  public static AdminServer start(
      String bindAddress, int port, PrometheusMeterRegistry registry, Readiness readiness) {
    return start(bindAddress, port, registry, readiness, null, null);
  }

  /**
   * Starts the admin listener as {@link #start(String, int, PrometheusMeterRegistry, Readiness)}
   * does, serving {@code api} under {@code /admin/} as well.
   *
   * @param api the admin API; null for none ({@code /admin/} paths are then unknown)
   * @param statusPage the HTML status page served at {@code /} and {@code /status}; null for none
   * @throws IllegalStateException if it cannot listen, naming the address and the reason
   */
  public static AdminServer start(
      String bindAddress,
      int port,
      PrometheusMeterRegistry registry,
      Readiness readiness,
      @Nullable AdminApi api,
      @Nullable StatusPage statusPage) {
    Undertow undertow =
        Undertow.builder()
            .setIoThreads(1)
            .setWorkerThreads(WORKER_THREADS)
            .addHttpListener(port, bindAddress)
            .setHandler(new AdminHandler(registry, readiness, api, statusPage))
            .setServerOption(UndertowOptions.ENABLE_HTTP2, false)
            .setServerOption(UndertowOptions.ALWAYS_SET_DATE, true)
            .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, TIMEOUT_MILLIS)
            .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, TIMEOUT_MILLIS)
            .build();
    try {
      undertow.start();
    } catch (RuntimeException e) {
      try {
        undertow.stop();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new IllegalStateException(
          "the admin listener cannot listen on " + bindAddress + ":" + port + ": " + rootMessage(e),
          e);
    }
    InetSocketAddress address =
        (InetSocketAddress) undertow.getListenerInfo().getFirst().getAddress();
    AdminServer server = new AdminServer(undertow, bindAddress, address.getPort());
    LOG.info(
        "admin listener on http://{}:{} ({}/metrics, /healthz, /readyz{})",
        host(bindAddress),
        server.port,
        statusPage == null ? "" : "status page /, ",
        api == null ? "" : ", /admin/ without authentication");
    return server;
  }

  /** The port the admin listener listens on; the actual one when it was started with port 0. */
  public int port() {
    return port;
  }

  /** The address the admin listener listens on, as it was given. */
  public String bindAddress() {
    return bindAddress;
  }

  /** Stops the admin listener. Calling it again does nothing. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      undertow.stop();
    }
  }

  /** An address as a URL's host: IPv6 literals in brackets. */
  private static String host(String address) {
    return address.indexOf(':') >= 0 && !address.startsWith("[") ? "[" + address + "]" : address;
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
