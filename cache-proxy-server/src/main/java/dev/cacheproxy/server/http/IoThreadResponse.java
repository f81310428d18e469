/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import io.undertow.io.IoCallback;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Writes responses from the connection's IO thread, so that the exchange also completes there.
 *
 * <p>Why: when an exchange completes on another thread (a dispatched virtual thread), Undertow's
 * {@code HttpReadListener} marks the connection busy while it gets ready for the next request, and
 * the IO thread spins in a compare-and-set loop if that request's bytes arrive meanwhile, which is
 * what a keep-alive client does as soon as it has the response. On the 2-core machine that spin
 * took 56% of the CPU samples of a manifest load (JFR) whenever the completing thread lost its
 * core. Small bodies, {@code HEAD} answers and zero-copy file transfers are therefore handed to the
 * IO thread with {@link HttpServerExchange#dispatch(java.util.concurrent.Executor, HttpHandler)};
 * the dispatched handler must not touch the exchange after calling these.
 */
final class IoThreadResponse {
  private IoThreadResponse() {}

  /** Sends {@code body} as the whole response. */
  static void send(HttpServerExchange exchange, ByteBuffer body) {
    onIoThread(exchange, e -> e.getResponseSender().send(body));
  }

  /** Ends the response without a body (for {@code HEAD}). */
  static void end(HttpServerExchange exchange) {
    onIoThread(exchange, HttpServerExchange::endExchange);
  }

  /** Sends {@code source} from its position to its end, zero-copy; {@code callback} releases it. */
  static void transfer(HttpServerExchange exchange, FileChannel source, IoCallback callback) {
    onIoThread(exchange, e -> e.getResponseSender().transferFrom(source, callback));
  }

  private static void onIoThread(HttpServerExchange exchange, IoAction action) {
    if (exchange.isInIoThread()) {
      action.run(exchange);
    } else {
      exchange.dispatch(exchange.getIoThread(), action::run);
    }
  }

  /** What to do on the IO thread; it throws nothing checked, unlike {@link HttpHandler}. */
  @FunctionalInterface
  private interface IoAction {
    void run(HttpServerExchange exchange);
  }
}
