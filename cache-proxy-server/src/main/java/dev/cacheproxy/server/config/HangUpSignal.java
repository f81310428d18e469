/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.config;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A handler for {@code SIGHUP} ({@code kill -HUP <pid>}), installed through {@code sun.misc.Signal}
 * from the {@code jdk.unsupported} module. That API is reached by reflection: javac warns about
 * every direct use of it, and {@code -Werror} turns that into an error. {@link #close()} puts the
 * previous handler back.
 */
final class HangUpSignal implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HangUpSignal.class);

  private final Method handle;
  private final Object signal;
  private final @Nullable Object previous;

  private HangUpSignal(Method handle, Object signal, @Nullable Object previous) {
    this.handle = handle;
    this.signal = signal;
    this.previous = previous;
  }

  /**
   * Runs {@code action} on the JVM's signal thread each time the process gets {@code SIGHUP}; the
   * action should hand its work to another thread. Empty, with a log line, when signals are not
   * available (another OS, {@code -Xrs}, no {@code jdk.unsupported}).
   */
  static Optional<HangUpSignal> install(Runnable action) {
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      Object signal = signalClass.getConstructor(String.class).newInstance("HUP");
      Object handler =
          Proxy.newProxyInstance(
              HangUpSignal.class.getClassLoader(),
              new Class<?>[] {handlerClass},
              (proxy, method, args) -> invoke(proxy, method.getName(), args, action));
      Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
      Object previous = handle.invoke(null, signal, handler);
      return Optional.of(new HangUpSignal(handle, signal, previous));
    } catch (InvocationTargetException e) {
      LOG.info(
          "SIGHUP is not available ({}); reload by editing the file", String.valueOf(e.getCause()));
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      LOG.info("SIGHUP is not available ({}); reload by editing the file", e.toString());
    }
    return Optional.empty();
  }

  /** Answers a call on the {@code SignalHandler} proxy: runs the action or acts as an Object. */
  // A proxy equals only itself: an identity test.
  @SuppressWarnings("ReferenceEquality")
  private static @Nullable Object invoke(
      Object proxy, String method, @Nullable Object @Nullable [] args, Runnable action) {
    return switch (method) {
      case "handle" -> {
        action.run();
        yield null;
      }
      case "equals" -> args != null && args.length == 1 && proxy == args[0];
      case "hashCode" -> System.identityHashCode(proxy);
      default -> "cache-proxy SIGHUP handler";
    };
  }

  /** Puts back the handler that was there before. */
  @Override
  public void close() {
    if (previous == null) {
      return;
    }
    try {
      handle.invoke(null, signal, previous);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.debug("cannot restore the previous SIGHUP handler", e);
    }
  }
}
