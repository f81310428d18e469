/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.admin;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The server's metrics: a {@link PrometheusMeterRegistry} with the JVM and process meters bound
 * (memory, garbage collection, threads, class loading, CPU, uptime, open files). The cache records
 * its own meters in the same registry ({@code CacheProxy.builder().meterRegistry(..)}), and {@link
 * AdminServer} serves it on {@code /metrics}.
 *
 * <p>{@link #close()} stops the garbage-collection listener and closes the registry; it is
 * thread-safe and idempotent, so a shutdown hook and the main thread may both call it.
 */
public final class ProcessMetrics implements AutoCloseable {

  private final PrometheusMeterRegistry registry;
  private final JvmGcMetrics gc;
  private final AtomicBoolean closed = new AtomicBoolean();

  private ProcessMetrics(PrometheusMeterRegistry registry, JvmGcMetrics gc) {
    this.registry = registry;
    this.gc = gc;
  }

  /** Creates the registry and binds the JVM and process meters to it. */
  public static ProcessMetrics start() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    return new ProcessMetrics(registry, gc);
  }

  /** The registry, to give to the cache and to {@link AdminServer}. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /**
   * Stops the garbage-collection listener and closes the registry. Calling it again does nothing.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      gc.close();
    } finally {
      registry.close();
    }
  }
}
