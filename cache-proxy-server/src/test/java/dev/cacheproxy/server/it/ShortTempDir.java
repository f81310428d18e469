/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A new folder directly under {@code /tmp} for a daemon's sockets and storage, deleted with
 * everything in it on {@link #close()}.
 *
 * <p>It is short on purpose: a unix socket path has at most 107 bytes, too few for a socket deep in
 * a JUnit {@code @TempDir}. Deleting tolerates errors (a vfs store holds many files) and logs them;
 * it refuses to descend into a folder something is still mounted under, so a leaked mount never
 * takes machine-wide files with it.
 */
final class ShortTempDir implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ShortTempDir.class);

  private final Path path;

  private ShortTempDir(Path path) {
    this.path = path;
  }

  /** Creates {@code /tmp/<prefix><random>}. */
  static ShortTempDir create(String prefix) {
    try {
      return new ShortTempDir(Files.createTempDirectory(Path.of("/tmp"), prefix));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a folder in /tmp", e);
    }
  }

  /** The folder. */
  Path path() {
    return path;
  }

  /** {@code path().resolve(other)}. */
  Path resolve(String other) {
    return path.resolve(other);
  }

  /** Deletes the folder and everything in it, logging what could not be deleted. Idempotent. */
  @Override
  public void close() {
    if (!Files.exists(path)) {
      return;
    }
    List<String> mounts = mountsUnder(path);
    if (!mounts.isEmpty()) {
      LOG.error("not deleting {}: something is still mounted under it: {}", path, mounts);
      return;
    }
    List<String> failures = new ArrayList<>();
    try {
      Files.walkFileTree(
          path,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              delete(file, failures);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              failures.add(file + ": " + e);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) {
              delete(dir, failures);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      failures.add(path + ": " + e);
    }
    if (!failures.isEmpty()) {
      LOG.warn(
          "could not delete {} of what is under {}, e.g. {}",
          failures.size(),
          path,
          failures.subList(0, Math.min(5, failures.size())));
    }
  }

  private static void delete(Path file, List<String> failures) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      failures.add(file + ": " + e);
    }
  }

  /** The mount points at or under {@code dir} in this JVM's mount namespace. */
  private static List<String> mountsUnder(Path dir) {
    String prefix = dir.toAbsolutePath().toString();
    try {
      // mountinfo: "id parent major:minor root mountpoint options ..."; spaces in paths are \040.
      return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
          .map(line -> line.split(" "))
          .filter(fields -> fields.length > 4)
          .map(fields -> fields[4])
          .filter(point -> point.equals(prefix) || point.startsWith(prefix + "/"))
          .toList();
    } catch (IOException e) {
      return List.of("(cannot read /proc/self/mountinfo: " + e + ")");
    }
  }
}
