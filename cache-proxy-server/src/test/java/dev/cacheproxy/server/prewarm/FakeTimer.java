/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.prewarm;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A {@link RunTimer} that runs nothing by itself: {@link #fireNext} moves the clock to the earliest
 * task's time and runs it on the calling thread.
 */
final class FakeTimer implements RunTimer {

  /** A task and when it is due. */
  record Task(Runnable task, Instant due) {}

  private final MutableClock clock;
  private final List<Task> tasks = new ArrayList<>();
  private boolean closed;

  FakeTimer(MutableClock clock) {
    this.clock = clock;
  }

  @Override
  public synchronized Cancellable schedule(Runnable task, Duration delay) {
    Task t = new Task(task, clock.instant().plus(delay));
    tasks.add(t);
    return () -> {
      synchronized (this) {
        tasks.remove(t);
      }
    };
  }

  /** The times of the tasks waiting, earliest first. */
  synchronized List<Instant> pending() {
    return tasks.stream().map(Task::due).sorted().toList();
  }

  /** Sets the clock to the earliest task's time and runs it. */
  void fireNext() {
    Task next;
    synchronized (this) {
      next = tasks.stream().min(Comparator.comparing(Task::due)).orElseThrow();
      tasks.remove(next);
    }
    clock.set(next.due());
    next.task().run();
  }

  synchronized boolean closed() {
    return closed;
  }

  @Override
  public synchronized void close() {
    closed = true;
    tasks.clear();
  }
}
