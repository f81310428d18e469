/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks.load;

import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One load client thread of {@link HttpLoad}, with its own {@link RawHttpClient}, that works
 * between a start signal and a deadline.
 *
 * <p>Concurrency: {@link #runAll} sets {@link #measureStart} and {@link #deadline} before it opens
 * the start latch, which publishes them to the client threads; the subclass counters are read after
 * {@link Thread#join()}. Only {@link #stopped} and the client's sockets cross threads while the
 * clients run.
 */
abstract class LoadClient {
  final RawHttpClient client;
  long measureStart;
  long deadline;
  private volatile boolean stopped;

  LoadClient(int port) {
    this.client = new RawHttpClient(port);
  }

  /** Sends requests until {@link #stopping()}; catches its own I/O errors. */
  abstract void work();

  /** Returns whether the client must stop: the deadline has passed or the run was cancelled. */
  final boolean stopping() {
    return stopped || System.nanoTime() - deadline >= 0;
  }

  /**
   * Runs every client on its own platform thread, released together: they warm up for {@code
   * warmup}, measure for {@code duration}, and then have their sockets closed.
   *
   * @throws InterruptedIOException if the calling thread is interrupted (the clients are stopped)
   */
  static void runAll(List<? extends LoadClient> clients, Duration warmup, Duration duration)
      throws InterruptedIOException {
    CountDownLatch start = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(clients.size());
    List<Thread> threads = new ArrayList<>(clients.size());
    for (int i = 0; i < clients.size(); i++) {
      LoadClient loadClient = clients.get(i);
      Runnable body =
          () -> {
            try {
              start.await();
              loadClient.work();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            } finally {
              loadClient.client.close();
              done.countDown();
            }
          };
      threads.add(Thread.ofPlatform().name("load-client-" + i).daemon().start(body));
    }
    long now = System.nanoTime();
    for (LoadClient loadClient : clients) {
      loadClient.measureStart = now + warmup.toNanos();
      loadClient.deadline = loadClient.measureStart + duration.toNanos();
    }
    long deadline = now + warmup.toNanos() + duration.toNanos();
    start.countDown();
    boolean interrupted = false;
    try {
      done.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      interrupted = true;
    }
    for (LoadClient loadClient : clients) {
      loadClient.stopped = true;
      loadClient.client.close();
    }
    for (Thread thread : threads) {
      while (true) {
        try {
          thread.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("load run interrupted");
    }
  }
}
