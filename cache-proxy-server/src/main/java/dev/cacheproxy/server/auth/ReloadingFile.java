/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file's parsed content that follows changes to the file: {@link #get()} looks at the file's
 * modification time and size at most once per {@link #CHECK_INTERVAL} and parses it again when
 * either changed. A missing file reads as {@code empty}; a file that cannot be parsed keeps the
 * previous content, with one warning per change.
 *
 * <p>Thread-safe: the content is a volatile reference; the check and reload hold the object's lock,
 * so one caller reloads while the others keep the previous content.
 */
final class ReloadingFile<T> {

  /** How often the file is looked at, at most. */
  static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);

  private static final Logger LOG = LoggerFactory.getLogger(ReloadingFile.class);

  /** Parses the file. */
  @FunctionalInterface
  interface Loader<T> {
    /** The content of {@code file}. */
    T load(Path file) throws IOException;
  }

  private record Stamp(FileTime modified, long size) {}

  private final Path file;
  private final Loader<T> loader;
  private final T empty;
  private final Clock clock;
  private final Runnable onChange;
  private volatile T value;
  private volatile long checkedAt;
  private @Nullable Stamp stamp;

  /**
   * Loads {@code file} now.
   *
   * @param onChange runs after each reload that changed the content
   * @throws IOException when it exists but cannot be read or parsed
   */
  ReloadingFile(Path file, Loader<T> loader, T empty, Clock clock, Runnable onChange)
      throws IOException {
    this.file = file;
    this.loader = loader;
    this.empty = empty;
    this.clock = clock;
    this.onChange = onChange;
    this.stamp = stamp();
    this.value = stamp == null ? empty : loader.load(file);
    this.checkedAt = clock.millis();
  }

  /** The file. */
  Path file() {
    return file;
  }

  /** The content, reloaded first if the file changed and was not looked at for a while. */
  T get() {
    long now = clock.millis();
    if (now - checkedAt < CHECK_INTERVAL.toMillis()) {
      return value;
    }
    synchronized (this) {
      if (now - checkedAt < CHECK_INTERVAL.toMillis()) {
        return value;
      }
      checkedAt = now;
      try {
        Stamp current = stamp();
        if (!Objects.equals(current, stamp)) {
          stamp = current;
          value = current == null ? empty : loader.load(file);
          LOG.info("reloaded {}", file);
          onChange.run();
        }
      } catch (IOException | RuntimeException e) {
        LOG.warn("cannot reload {}, keeping its previous content: {}", file, e.toString());
      }
      return value;
    }
  }

  private @Nullable Stamp stamp() throws IOException {
    try {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
      return new Stamp(attributes.lastModifiedTime(), attributes.size());
    } catch (NoSuchFileException e) {
      return null;
    }
  }
}
