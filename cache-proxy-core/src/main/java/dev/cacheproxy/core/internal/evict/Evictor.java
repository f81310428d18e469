/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.evict;

import dev.cacheproxy.core.events.CacheEventListener;
import dev.cacheproxy.core.internal.events.EventDispatcher;
import dev.cacheproxy.core.internal.manifest.RepositoryIndex;
import dev.cacheproxy.core.storage.ByteSizes;
import dev.cacheproxy.core.storage.StorageSettings;
import dev.cacheproxy.rules.RuleSet;
import java.io.Closeable;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a cache within its {@link StorageSettings}: one background virtual thread runs an {@link
 * EvictionPass} when a commit takes usage above the high watermark ({@link #onCommit}), when the
 * store fails to take a blob ({@link #wake}, e.g. on {@code ENOSPC}), and on a check every 10 s
 * that also watches the free space. It also writes changed pull times to the index every 30 s (by
 * the injected clock) and at {@link #close}.
 *
 * <p>Pulls never wait for it: they only signal it. When a pass cannot reach its target (everything
 * left is leased, retained or referenced), it warns once, and wake-ups from commits are ignored
 * until the next periodic check, so that a full cache does not rescan on every commit.
 *
 * <p>Concurrency: passes run one at a time under {@code passLock}, from the background thread or
 * from {@link #evictNow} on the caller's thread. {@code wakeRequested} and {@code closed} are
 * guarded by {@code signalLock}; {@code closed} is also volatile so that a pass can stop early.
 */
public final class Evictor implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(Evictor.class);
  private static final long CHECK_SECONDS = 10;
  private static final long FLUSH_SECONDS = 30;
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

  private final CacheLedger ledger;
  private final RepositoryIndex index;
  private final StorageSettings settings;
  private final Supplier<RuleSet> rules;
  private final Clock clock;
  private final CacheEventListener events;
  private final ReentrantLock passLock = new ReentrantLock();
  private final ReentrantLock signalLock = new ReentrantLock();
  private final Condition signal = signalLock.newCondition();
  private final AtomicLong evictions = new AtomicLong();
  private final AtomicLong evictedBytes = new AtomicLong();
  private boolean wakeRequested;
  private volatile boolean closed;
  private volatile boolean futile;
  private boolean warned;
  private volatile long lastFlushMillis;
  private @Nullable Thread thread;

  /**
   * Creates an evictor; {@link #start} starts its thread.
   *
   * @param rules the rules now (they can be replaced while the cache runs): retention is looked up
   *     by the rule name each record was last pulled through
   */
  public Evictor(
      CacheLedger ledger,
      RepositoryIndex index,
      StorageSettings settings,
      Supplier<RuleSet> rules,
      Clock clock) {
    this(ledger, index, settings, rules, clock, EventDispatcher.NONE);
  }

  /** Creates an evictor as above that reports each image it evicts to {@code events}. */
  public Evictor(
      CacheLedger ledger,
      RepositoryIndex index,
      StorageSettings settings,
      Supplier<RuleSet> rules,
      Clock clock,
      CacheEventListener events) {
    this.events = events;
    this.ledger = ledger;
    this.index = index;
    this.settings = settings;
    this.rules = rules;
    this.clock = clock;
    this.lastFlushMillis = clock.millis();
  }

  /** Starts the background thread. */
  public void start() {
    signalLock.lock();
    try {
      if (thread == null && !closed) {
        thread = Thread.ofVirtual().name("evictor").start(this::loop);
      }
    } finally {
      signalLock.unlock();
    }
  }

  /** Called after each commit: wakes the thread if usage passed the high watermark. Cheap. */
  public void onCommit() {
    if (ledger.usedBytes() > settings.highBytes()) {
      wake();
    }
  }

  /** Wakes the thread for a pass, e.g. because the store failed to take a blob. */
  public void wake() {
    signalLock.lock();
    try {
      wakeRequested = true;
      signal.signalAll();
    } finally {
      signalLock.unlock();
    }
  }

  /**
   * Runs one pass now on the calling thread (after a pass in progress ends), evicting until usage
   * is at most the low watermark and twice the free-space floor is free, or nothing evictable is
   * left.
   */
  public void evictNow() {
    pass();
  }

  /** How many images were evicted since start. */
  public long evictions() {
    return evictions.get();
  }

  /** How many bytes of blobs evictions deleted since start (orphans included). */
  public long evictedBytes() {
    return evictedBytes.get();
  }

  /** Writes changed pull times to the index now; returns how many records it wrote. */
  public int flush() {
    lastFlushMillis = clock.millis();
    try {
      return ledger.flush(index);
    } catch (RuntimeException e) {
      LOG.warn("storage: cannot write last-pull times to the index: {}", e.getMessage());
      return 0;
    }
  }

  /** Stops the thread (letting a pass stop between blobs) and writes changed pull times. */
  @Override
  public void close() {
    Thread running;
    signalLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      signal.signalAll();
      running = thread;
    } finally {
      signalLock.unlock();
    }
    if (running != null) {
      try {
        if (!running.join(CLOSE_WAIT)) {
          LOG.warn("storage: the evictor did not stop within {} s", CLOSE_WAIT.toSeconds());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    flush();
  }

  /**
   * One turn of the background thread: after a wake-up, a pass (unless the last one was futile); on
   * the periodic check, a pass if usage or free space calls for one; then a flush if one is due.
   */
  void tick(boolean woken) {
    if (woken) {
      if (!futile) {
        pass();
      }
    } else {
      futile = false;
      if (EvictionPass.triggered(ledger, settings)) {
        pass();
      }
    }
    if (clock.millis() - lastFlushMillis >= TimeUnit.SECONDS.toMillis(FLUSH_SECONDS)) {
      flush();
    }
  }

  private void pass() {
    passLock.lock();
    try {
      EvictionPass.Result result =
          new EvictionPass(
                  ledger, index, settings, rules.get(), clock.millis(), () -> closed, events, clock)
              .run();
      evictions.addAndGet(result.images());
      evictedBytes.addAndGet(result.bytes());
      futile = !result.reachedTarget();
      if (futile && !warned && !closed) {
        warned = true;
        LOG.warn(
            "storage: {} stored ({} free) and nothing more can be evicted: every blob left is"
                + " being read, or held by an image its rule retains (keepFor, pinned); pulls go"
                + " on, and blobs that do not fit are passed through uncached",
            ByteSizes.format(ledger.usedBytes()),
            ByteSizes.format(ledger.usableSpace()));
      } else if (!futile) {
        warned = false;
      }
    } finally {
      passLock.unlock();
    }
  }

  private void loop() {
    long period = TimeUnit.SECONDS.toNanos(CHECK_SECONDS);
    while (true) {
      boolean woken;
      signalLock.lock();
      try {
        long nanos = period;
        while (!wakeRequested && !closed && nanos > 0) {
          nanos = signal.awaitNanos(nanos);
        }
        if (closed) {
          return;
        }
        woken = wakeRequested;
        wakeRequested = false;
      } catch (InterruptedException e) {
        return;
      } finally {
        signalLock.unlock();
      }
      try {
        tick(woken);
      } catch (RuntimeException e) {
        LOG.warn("storage: eviction check failed: {}", e.toString(), e);
      }
    }
  }
}
