/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks.load;

import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The chunks read but not yet written in one direction, bounded in bytes: {@link #put} blocks while
 * the queue is full, unless it is empty, so one chunk always fits.
 */
final class LinkQueue {
  /** A chunk of bytes and the {@link System#nanoTime()} at which it was read. */
  static final class Chunk {
    final byte[] data;
    final long stampNanos;

    Chunk(byte[] data, long stampNanos) {
      this.data = data;
      this.stampNanos = stampNanos;
    }
  }

  private final long capacity;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition notFull = lock.newCondition();
  private final ArrayDeque<Chunk> chunks = new ArrayDeque<>(); // guarded by lock
  private long bytes; // guarded by lock
  private boolean finished; // guarded by lock
  private boolean aborted; // guarded by lock

  LinkQueue(long capacity) {
    this.capacity = capacity;
  }

  /** Adds a chunk, waiting for room; returns false if the queue was aborted. */
  boolean put(byte[] data, long stampNanos) throws InterruptedException {
    lock.lock();
    try {
      while (!aborted && bytes > 0 && bytes + data.length > capacity) {
        notFull.await();
      }
      if (aborted) {
        return false;
      }
      chunks.add(new Chunk(data, stampNanos));
      bytes += data.length;
      notEmpty.signal();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Returns the next chunk, or null once the queue is finished and drained or aborted. */
  @Nullable Chunk take() throws InterruptedException {
    lock.lock();
    try {
      while (chunks.isEmpty() && !finished && !aborted) {
        notEmpty.await();
      }
      Chunk chunk = aborted ? null : chunks.poll();
      if (chunk != null) {
        bytes -= chunk.data.length;
        notFull.signal();
      }
      return chunk;
    } finally {
      lock.unlock();
    }
  }

  /** Marks the end of the input: {@link #take} returns null once the queue is drained. */
  void finish() {
    lock.lock();
    try {
      finished = true;
      notEmpty.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Drops all chunks and wakes every waiting thread. */
  void abort() {
    lock.lock();
    try {
      aborted = true;
      chunks.clear();
      bytes = 0;
      notEmpty.signalAll();
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
  }

  boolean aborted() {
    lock.lock();
    try {
      return aborted;
    } finally {
      lock.unlock();
    }
  }
}
