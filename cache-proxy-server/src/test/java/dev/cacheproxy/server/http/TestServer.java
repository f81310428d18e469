/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An Undertow server on 127.0.0.1 and a free port, running one handler on virtual threads, for
 * tests.
 */
final class TestServer implements AutoCloseable {

  private final Undertow undertow;
  private final ExecutorService executor;
  private final int port;

  private TestServer(Undertow undertow, ExecutorService executor, int port) {
    this.undertow = undertow;
    this.executor = executor;
    this.port = port;
  }

  /**
   * Starts a server that dispatches every request to {@code handler} on a virtual thread, answering
   * failures with {@link ErrorResponder}.
   */
  static TestServer dispatching(HttpHandler handler) {
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    HttpHandler root =
        exchange ->
            exchange.dispatch(
                executor,
                dispatched -> {
                  try {
                    handler.handleRequest(dispatched);
                  } catch (Exception e) {
                    ErrorResponder.send(dispatched, e);
                  }
                });
    Undertow undertow = Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(root).build();
    undertow.start();
    int port = ((InetSocketAddress) undertow.getListenerInfo().getFirst().getAddress()).getPort();
    return new TestServer(undertow, executor, port);
  }

  int port() {
    return port;
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  @Override
  public void close() {
    undertow.stop();
    executor.shutdownNow();
  }
}
