/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.admin;

import dev.cacheproxy.server.auth.AccessControl;
import dev.cacheproxy.server.transport.AllowlistHandler;
import dev.cacheproxy.server.transport.ListenerOptions;
import dev.cacheproxy.server.transport.ListenerSettings;
import dev.cacheproxy.server.transport.TlsContext;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
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

  /** The largest request body the admin listener reads (admin API requests are small JSON). */
  private static final long MAX_ENTITY_SIZE = 1024 * 1024;

  private final Undertow undertow;
  private final @Nullable TlsContext tls;
  private final String bindAddress;
  private final int port;
  private final AtomicBoolean closed = new AtomicBoolean();

  private AdminServer(Undertow undertow, @Nullable TlsContext tls, String bindAddress, int port) {
    this.undertow = undertow;
    this.tls = tls;
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
    return start(ListenerSettings.plain(bindAddress, port), registry, readiness, api, statusPage);
  }

  /**
   * Starts the admin listener on {@code listener} (plain HTTP or TLS, its allow list checked first,
   * its limits applied) and logs its address, serving {@code api} and {@code statusPage} when
   * given. The registry and the readiness stay the caller's: {@link #close()} closes neither.
   *
   * @param api the admin API; null for none ({@code /admin/} paths are then unknown)
   * @param statusPage the HTML status page served at {@code /} and {@code /status}; null for none
   * @throws dev.cacheproxy.server.transport.TlsException if the certificate or key cannot serve
   * @throws IllegalStateException if it cannot listen, naming the address and the reason
   */
  public static AdminServer start(
      ListenerSettings listener,
      PrometheusMeterRegistry registry,
      Readiness readiness,
      @Nullable AdminApi api,
      @Nullable StatusPage statusPage) {
    return start(listener, registry, readiness, api, statusPage, AccessControl.anonymous());
  }

  /**
   * Starts the admin listener as {@link #start(ListenerSettings, PrometheusMeterRegistry,
   * Readiness, AdminApi, StatusPage)} does, letting only admins that {@code access} signs in use
   * the admin API and the status page when its mode is not anonymous ({@code /healthz} and {@code
   * /readyz} stay open, {@code /metrics} too unless {@code auth.protectMetrics} is set).
   *
   * @throws dev.cacheproxy.server.transport.TlsException if the certificate or key cannot serve
   * @throws IllegalStateException if it cannot listen, naming the address and the reason
   */
  public static AdminServer start(
      ListenerSettings listener,
      PrometheusMeterRegistry registry,
      Readiness readiness,
      @Nullable AdminApi api,
      @Nullable StatusPage statusPage,
      AccessControl access) {
    return start(
        listener, new AdminHandler(registry, readiness, api, statusPage, access), api, statusPage);
  }

  /**
   * Starts the admin listener on {@code listener} with {@code handler} answering its requests, as
   * {@link #start(ListenerSettings, PrometheusMeterRegistry, Readiness, AdminApi, StatusPage)} does
   * with a handler of its own; for a caller that builds the handler (with access control).
   *
   * @param api the admin API the handler serves, or null; only for the log line
   * @param statusPage the status page the handler serves, or null; only for the log line
   * @throws dev.cacheproxy.server.transport.TlsException if the certificate or key cannot serve
   * @throws IllegalStateException if it cannot listen, naming the address and the reason
   */
  static AdminServer start(
      ListenerSettings listener,
      HttpHandler handler,
      @Nullable AdminApi api,
      @Nullable StatusPage statusPage) {
    String bindAddress = listener.bindAddress();
    int port = listener.port();
    TlsContext tls = listener.tls() == null ? null : TlsContext.start(listener.tls());
    Undertow.Builder builder =
        Undertow.builder().setHandler(AllowlistHandler.wrap("admin", listener.allow(), handler));
    ListenerOptions.configure(builder, listener, tls, MAX_ENTITY_SIZE);
    Undertow undertow = builder.setIoThreads(1).setWorkerThreads(WORKER_THREADS).build();
    try {
      undertow.start();
    } catch (RuntimeException e) {
      try {
        undertow.stop();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      if (tls != null) {
        tls.close();
      }
      throw new IllegalStateException(
          "the admin listener cannot listen on " + bindAddress + ":" + port + ": " + rootMessage(e),
          e);
    }
    InetSocketAddress address =
        (InetSocketAddress) undertow.getListenerInfo().getFirst().getAddress();
    AdminServer server = new AdminServer(undertow, tls, bindAddress, address.getPort());
    LOG.info(
        "admin listener on {}://{}:{} ({}/metrics, /healthz, /readyz{}){}",
        listener.scheme(),
        host(bindAddress),
        server.port,
        statusPage == null ? "" : "status page /, ",
        api == null ? "" : ", /admin/",
        listener.allow().acceptsEveryone() ? "" : ", clients from " + listener.allow());
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
      try {
        undertow.stop();
      } finally {
        if (tls != null) {
          tls.close();
        }
      }
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
