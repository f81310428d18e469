/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.webhook;

import dev.cacheproxy.core.events.CacheEvent;
import dev.cacheproxy.core.events.CacheEventListener;
import dev.cacheproxy.core.events.WebhookTarget;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.Closeable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * Sends {@link CacheEvent}s to webhook targets as signed JSON POSTs (see the README's webhooks
 * section for the body, headers and signature).
 *
 * <p>A receiver that is slow or down never slows the cache: {@link #onEvent} only appends the event
 * to each interested target's bounded queue ({@value #DEFAULT_QUEUE_CAPACITY} events by default;
 * when it is full the oldest event is dropped and counted), and one virtual thread per target
 * delivers the queue in order, retrying each event with backoff (see {@link TargetSender}). The
 * HTTP client is its own, with short timeouts (connect {@value #CONNECT_SECONDS} s, response
 * {@value #RESPONSE_SECONDS} s), no redirects and no automatic retries.
 *
 * <p>Meters, tagged with the target's {@code host:port}: {@code
 * cacheproxy.webhook.deliveries{target,result=delivered|failed|dropped}}, {@code
 * cacheproxy.webhook.dropped{target}} (queue overflows and events still queued at close) and the
 * gauge {@code cacheproxy.webhook.queue{target}}, removed at {@link #close()}.
 *
 * <p>Thread-safe: {@link #onEvent} may be called from any thread; each target's state is guarded by
 * its own lock.
 */
public final class WebhookSender implements CacheEventListener, Closeable {

  /** The most events one target's queue holds. */
  public static final int DEFAULT_QUEUE_CAPACITY = 10_000;

  /** How long {@link #close()} lets the targets deliver what is queued. */
  public static final Duration FLUSH_TIME = Duration.ofSeconds(2);

  static final long CONNECT_SECONDS = 5;
  static final long RESPONSE_SECONDS = 10;

  private final List<TargetSender> senders;
  private final CloseableHttpClient http;
  private final MeterRegistry meters;
  private volatile boolean closed;

  /** Starts one delivery thread per target, recording meters in {@code meters}. */
  public WebhookSender(List<WebhookTarget> targets, MeterRegistry meters) {
    this(targets, meters, Sleeper.SYSTEM, RandomGenerator.getDefault(), DEFAULT_QUEUE_CAPACITY);
  }

  /** Starts the senders waiting with {@code sleeper}, jittering with {@code random}. */
  WebhookSender(
      List<WebhookTarget> targets,
      MeterRegistry meters,
      Sleeper sleeper,
      RandomGenerator random,
      int queueCapacity) {
    if (queueCapacity < 1) {
      throw new IllegalArgumentException("queueCapacity must be positive: " + queueCapacity);
    }
    this.meters = meters;
    this.http = client(Math.max(1, targets.size()));
    List<TargetSender> list = new ArrayList<>();
    for (WebhookTarget target : targets) {
      list.add(new TargetSender(target, http, meters, sleeper, random, queueCapacity));
    }
    this.senders = List.copyOf(list);
    senders.forEach(TargetSender::start);
  }

  private static CloseableHttpClient client(int targets) {
    Timeout connect = Timeout.ofSeconds(CONNECT_SECONDS);
    Timeout response = Timeout.ofSeconds(RESPONSE_SECONDS);
    return HttpClients.custom()
        .setConnectionManager(
            PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnPerRoute(2)
                .setMaxConnTotal(2 * targets)
                .setDefaultConnectionConfig(
                    ConnectionConfig.custom()
                        .setConnectTimeout(connect)
                        .setSocketTimeout(response)
                        .setValidateAfterInactivity(TimeValue.ofSeconds(2))
                        .setTimeToLive(TimeValue.ofMinutes(5))
                        .build())
                .build())
        .setDefaultRequestConfig(
            RequestConfig.custom()
                .setResponseTimeout(response)
                .setConnectionRequestTimeout(connect)
                .setRedirectsEnabled(false)
                .setAuthenticationEnabled(false)
                .build())
        .setUserAgent("cache-proxy-webhook")
        .disableAutomaticRetries()
        .disableRedirectHandling()
        .disableAuthCaching()
        .disableCookieManagement()
        .disableContentCompression()
        .evictIdleConnections(TimeValue.ofSeconds(30))
        .build();
  }

  /** Queues {@code event} for every target that wants its type; never waits. */
  @Override
  public void onEvent(CacheEvent event) {
    if (closed) {
      return;
    }
    String type = event.type();
    for (TargetSender sender : senders) {
      if (sender.target().accepts(type)) {
        sender.enqueue(event);
      }
    }
  }

  /**
   * Waits until every queue is empty and no delivery is in progress (for tests); false if {@code
   * timeout} passed first.
   */
  boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (TargetSender sender : senders) {
      if (!sender.awaitIdle(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Stops taking events and gives the targets up to {@link #FLUSH_TIME} to deliver what is queued
   * (one attempt per event); what is left is dropped and counted. Closes the HTTP client and
   * removes the queue gauges. Closing twice does nothing more.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    long deadline = System.nanoTime() + FLUSH_TIME.toNanos();
    for (TargetSender sender : senders) {
      sender.beginClose(deadline);
    }
    try {
      for (TargetSender sender : senders) {
        sender.awaitClosed(deadline);
      }
    } finally {
      http.close(CloseMode.IMMEDIATE);
      for (TargetSender sender : senders) {
        meters.remove(sender.gauge());
      }
    }
  }
}
