/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.config;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls back when a file may have changed: a {@link WatchService} on the file's folder, not on the
 * file, so an editor that saves by renaming a temporary file over the original and a Kubernetes
 * ConfigMap volume that swaps its {@code ..data} symlink are both noticed. Any event in the folder
 * counts; a burst of events is gathered until the folder has been quiet for {@code debounce}, then
 * the callback runs once. Without events the callback runs every {@code rescan}, which covers a
 * folder that is itself replaced; the callback decides whether anything changed.
 *
 * <p>Threading: one daemon thread polls the watch service and runs the callback; {@link #close()}
 * closes the service, which ends the thread, and waits for it.
 */
final class FileWatch implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FileWatch.class);

  /** The most debounce rounds before the callback runs anyway, for folders never quiet. */
  private static final int MAX_DEBOUNCE_ROUNDS = 20;

  private final Path folder;
  private final Duration debounce;
  private final Duration rescan;
  private final Runnable onChange;
  private final WatchService service;
  private final Thread thread;

  // Confined to the watch thread once it runs.
  private boolean registered;

  private FileWatch(
      Path folder, Duration debounce, Duration rescan, Runnable onChange, WatchService service) {
    this.folder = folder;
    this.debounce = debounce;
    this.rescan = rescan;
    this.onChange = onChange;
    this.service = service;
    register();
    this.thread =
        Thread.ofPlatform().daemon().name("cache-proxy-config-watch").unstarted(this::loop);
  }

  /**
   * Starts watching the folder of {@code file}; empty, with a log line, when the file system cannot
   * be watched.
   */
  static Optional<FileWatch> start(
      Path file, Duration debounce, Duration rescan, Runnable onChange) {
    Path folder = Objects.requireNonNull(file.toAbsolutePath().getParent());
    WatchService service;
    try {
      service = folder.getFileSystem().newWatchService();
    } catch (IOException | UnsupportedOperationException e) {
      LOG.warn("cannot watch {} ({}); reload with kill -HUP", folder, e.toString());
      return Optional.empty();
    }
    FileWatch watch = new FileWatch(folder, debounce, rescan, onChange, service);
    watch.thread.start();
    return Optional.of(watch);
  }

  private void register() {
    try {
      folder.register(service, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE);
      registered = true;
    } catch (IOException e) {
      LOG.warn("cannot watch {} ({}); checking every {}", folder, e.toString(), rescan);
      registered = false;
    }
  }

  private void loop() {
    try {
      while (true) {
        WatchKey key = service.poll(rescan.toMillis(), TimeUnit.MILLISECONDS);
        if (key != null) {
          settle(key);
        } else if (!registered) {
          register();
        }
        onChange.run();
      }
    } catch (ClosedWatchServiceException | InterruptedException e) {
      // closed
    } catch (RuntimeException e) {
      LOG.error("watching {} stopped; reload with kill -HUP", folder, e);
    }
  }

  /** Waits until the folder is quiet for {@link #debounce}, consuming the events of a burst. */
  private void settle(WatchKey first) throws InterruptedException {
    consume(first);
    for (int i = 0; i < MAX_DEBOUNCE_ROUNDS; i++) {
      WatchKey next = service.poll(debounce.toMillis(), TimeUnit.MILLISECONDS);
      if (next == null) {
        return;
      }
      consume(next);
    }
  }

  private void consume(WatchKey key) {
    key.pollEvents();
    if (!key.reset()) {
      registered = false;
      LOG.warn("{} is gone; checking every {}", folder, rescan);
    }
  }

  /** Stops watching and waits a few seconds for the watch thread to end. */
  @Override
  public void close() {
    try {
      service.close();
    } catch (IOException e) {
      LOG.debug("cannot close the watch service", e);
    }
    if (thread != Thread.currentThread()) {
      try {
        thread.join(Duration.ofSeconds(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
