/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.webhook;

import dev.cacheproxy.core.events.CacheEvent;
import dev.cacheproxy.core.events.WebhookTarget;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the events of one {@link WebhookTarget}: a bounded queue that drops its oldest event
 * when full, and one virtual thread that POSTs the events in order, trying each up to {@link
 * WebhookTarget#maxAttempts()} times with an exponential, jittered backoff (1 s doubling to 5 min)
 * in between, then drops it. One warning per failure streak (not per event); one info line when
 * deliveries succeed again.
 *
 * <p>Concurrency: {@code queue}, {@code closing}, {@code deadlineNanos} and {@code busy} are
 * guarded by {@code lock}. {@link #enqueue} only takes the lock for an O(1) change of the queue;
 * the delivery thread holds the lock only to take an event, never during a call or a wait between
 * attempts, so producers never wait for the receiver. {@code failing} is confined to the delivery
 * thread.
 */
final class TargetSender {

  private static final Logger LOG = LoggerFactory.getLogger(TargetSender.class);
  private static final long FIRST_BACKOFF_MILLIS = 1000;
  private static final long MAX_BACKOFF_MILLIS = TimeUnit.MINUTES.toMillis(5);
  private static final int DISCARD_BUFFER = 8192;
  private static final long MAX_RESPONSE_BYTES_READ = 64 * 1024;

  private final WebhookTarget target;
  private final String label;
  private final CloseableHttpClient http;
  private final Sleeper sleeper;
  private final RandomGenerator random;
  private final int capacity;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<CacheEvent> queue = new ArrayDeque<>();
  private final Counter delivered;
  private final Counter failed;
  private final Counter droppedDeliveries;
  private final Counter dropped;
  private final Gauge queued;
  private boolean closing;
  private long deadlineNanos;
  private boolean busy;
  private volatile boolean sleeping;
  private boolean failing;
  private @Nullable Thread thread;

  TargetSender(
      WebhookTarget target,
      CloseableHttpClient http,
      MeterRegistry meters,
      Sleeper sleeper,
      RandomGenerator random,
      int capacity) {
    this.target = target;
    this.label = target.hostAndPort();
    this.http = http;
    this.sleeper = sleeper;
    this.random = random;
    this.capacity = capacity;
    this.delivered = deliveries(meters, "delivered");
    this.failed = deliveries(meters, "failed");
    this.droppedDeliveries = deliveries(meters, "dropped");
    this.dropped =
        Counter.builder("cacheproxy.webhook.dropped")
            .description("Webhook events dropped unsent because the target's queue was full")
            .tag("target", label)
            .register(meters);
    this.queued =
        Gauge.builder("cacheproxy.webhook.queue", this, TargetSender::queued)
            .description("Webhook events waiting to be delivered")
            .tag("target", label)
            .strongReference(false)
            .register(meters);
  }

  private Counter deliveries(MeterRegistry meters, String result) {
    return Counter.builder("cacheproxy.webhook.deliveries")
        .description("Webhook events by how their delivery ended")
        .tag("target", label)
        .tag("result", result)
        .register(meters);
  }

  /** The gauge, removed from the registry when the sender closes. */
  Gauge gauge() {
    return queued;
  }

  /** Starts the delivery thread. */
  void start() {
    thread = Thread.ofVirtual().name("webhook-" + label).start(this::run);
  }

  /** The target. */
  WebhookTarget target() {
    return target;
  }

  /** Queues {@code event}; when the queue is full, drops the oldest one. O(1), never waits. */
  void enqueue(CacheEvent event) {
    boolean droppedOne = false;
    boolean refused = false;
    lock.lock();
    try {
      if (closing) {
        refused = true;
      } else {
        if (queue.size() >= capacity) {
          queue.pollFirst();
          droppedOne = true;
        }
        queue.addLast(event);
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
    if (droppedOne || refused) {
      dropped.increment();
      droppedDeliveries.increment();
    }
  }

  /** How many events wait. */
  double queued() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  /** Waits until the queue is empty and no delivery is in progress; false if time ran out. */
  boolean awaitIdle(Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    lock.lock();
    try {
      while (busy || !queue.isEmpty()) {
        if (nanos <= 0) {
          return false;
        }
        nanos = changed.awaitNanos(nanos);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Starts closing: no new events are taken, and the thread delivers what is queued (one attempt
   * each, no more waiting between attempts) until {@code deadlineNanos} ({@link
   * System#nanoTime()}).
   */
  void beginClose(long deadlineNanos) {
    lock.lock();
    try {
      closing = true;
      this.deadlineNanos = deadlineNanos;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    Thread t = thread;
    if (t != null && sleeping) {
      t.interrupt();
    }
  }

  /** Waits for the thread until the deadline, interrupting it if it runs late. */
  void awaitClosed(long deadlineNanos) {
    Thread t = thread;
    if (t == null) {
      return;
    }
    try {
      long left = deadlineNanos - System.nanoTime();
      if (left > 0 && t.join(Duration.ofNanos(left))) {
        return;
      }
      t.interrupt();
      if (!t.join(Duration.ofSeconds(1))) {
        LOG.warn("webhook {}: the delivery thread did not stop", label);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    while (true) {
      CacheEvent event = take();
      if (event == null) {
        return;
      }
      try {
        deliver(event);
      } finally {
        lock.lock();
        try {
          busy = false;
          changed.signalAll();
        } finally {
          lock.unlock();
        }
      }
    }
  }

  /** The next event; null once closing and the queue is empty or the deadline has passed. */
  private @Nullable CacheEvent take() {
    int left = 0;
    lock.lock();
    try {
      while (queue.isEmpty() && !closing) {
        changed.await();
      }
      if (!queue.isEmpty() && !(closing && System.nanoTime() - deadlineNanos > 0)) {
        busy = true;
        return queue.pollFirst();
      }
      left = queue.size();
      queue.clear();
      changed.signalAll();
      return null;
    } catch (InterruptedException e) {
      left = queue.size();
      queue.clear();
      return null;
    } finally {
      lock.unlock();
      if (left > 0) {
        droppedDeliveries.increment(left);
        dropped.increment(left);
        LOG.warn("webhook {}: closing with {} events undelivered", label, left);
      }
    }
  }

  private boolean stopping() {
    lock.lock();
    try {
      return closing;
    } finally {
      lock.unlock();
    }
  }

  /** Tries {@code event} until it is delivered or its attempts are used up. */
  private void deliver(CacheEvent event) {
    String id = UUID.randomUUID().toString();
    byte[] body = EventJson.body(id, event);
    String secret = target.secret();
    String signature = secret == null ? null : Signatures.sign(secret, body);
    for (int attempt = 1; ; attempt++) {
      String problem = post(id, event.type(), body, signature);
      if (problem == null) {
        delivered.increment();
        if (failing) {
          failing = false;
          LOG.info("webhook {}: deliveries succeed again", label);
        }
        return;
      }
      LOG.debug("webhook {}: attempt {} of {} failed: {}", label, attempt, event.type(), problem);
      if (attempt >= target.maxAttempts() || stopping() || !pause(attempt)) {
        failed.increment();
        if (!failing) {
          failing = true;
          LOG.warn(
              "webhook {}: dropped a {} event after {} attempts ({}); further failures are not"
                  + " logged until a delivery succeeds",
              label,
              event.type(),
              attempt,
              problem);
        }
        return;
      }
    }
  }

  /** Waits before attempt {@code attempt + 1}; false if interrupted (the sender is closing). */
  private boolean pause(int attempt) {
    sleeping = true;
    try {
      if (stopping()) {
        return false;
      }
      sleeper.sleep(backoff(attempt, random));
      return true;
    } catch (InterruptedException e) {
      return false;
    } finally {
      sleeping = false;
    }
  }

  /**
   * The wait after failed attempt {@code attempt} (from 1): 1 s doubling per attempt up to 5 min,
   * jittered down to between half and all of it.
   */
  static Duration backoff(int attempt, RandomGenerator random) {
    long base = FIRST_BACKOFF_MILLIS << Math.min(Math.max(attempt - 1, 0), 20);
    base = Math.min(base, MAX_BACKOFF_MILLIS);
    long half = base / 2;
    return Duration.ofMillis(half + random.nextLong(base - half + 1));
  }

  /** POSTs one attempt; null when the target answered 2xx, else what went wrong. */
  private @Nullable String post(String id, String type, byte[] body, @Nullable String signature) {
    HttpPost post = new HttpPost(target.url());
    post.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));
    post.setHeader("X-CacheProxy-Event", type);
    post.setHeader("X-CacheProxy-Delivery", id);
    if (signature != null) {
      post.setHeader(Signatures.HEADER, signature);
    }
    try (ClassicHttpResponse response = http.executeOpen(null, post, null)) {
      int status = response.getCode();
      discard(response.getEntity());
      return status >= 200 && status < 300 ? null : "status " + status;
    } catch (IOException | RuntimeException e) {
      return e.toString();
    }
  }

  /** Reads (a bounded part of) the answer, so that a small one leaves the connection reusable. */
  private static void discard(@Nullable HttpEntity entity) throws IOException {
    if (entity == null) {
      return;
    }
    try (InputStream in = entity.getContent()) {
      byte[] buffer = new byte[DISCARD_BUFFER];
      long total = 0;
      int n;
      while (total < MAX_RESPONSE_BYTES_READ && (n = in.read(buffer)) != -1) {
        total += n;
      }
    }
  }
}
