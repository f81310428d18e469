/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.store;

import dev.cacheproxy.core.StorageException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.jspecify.annotations.Nullable;

/**
 * An exclusive lock on a data directory ({@code <dir>/.lock}, holding the owner's process id), so
 * that two processes never evict, collect or repair the same cache at once. The operating system
 * releases it when the process dies, so a crash never leaves it stuck.
 */
public final class DataDirectoryLock implements Closeable {

  /** The lock file's name in the data directory. */
  public static final String FILE_NAME = ".lock";

  private final FileChannel channel;
  private final FileLock lock;

  private DataDirectoryLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock of {@code dataDirectory}, creating the folder if needed.
   *
   * @throws StorageException if another process (or another cache in this one) holds it, naming its
   *     process id, or if the lock file cannot be written
   */
  public static DataDirectoryLock acquire(Path dataDirectory) {
    Path file = dataDirectory.resolve(FILE_NAME);
    @Nullable FileChannel channel = null;
    try {
      Files.createDirectories(dataDirectory);
      channel =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        String owner = readOwner(channel);
        channel.close();
        throw new InUseException(dataDirectory.toAbsolutePath(), owner);
      }
      channel.truncate(0);
      channel.write(
          ByteBuffer.wrap(
              (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
          0);
      return new DataDirectoryLock(channel, lock);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new StorageException(
          "cannot lock the data directory " + dataDirectory.toAbsolutePath() + ": " + e, e);
    }
  }

  /** The data directory is locked by another process, or by another cache in this one. */
  public static final class InUseException extends StorageException {
    private static final long serialVersionUID = 1L;

    private final String owner;

    InUseException(Path dataDirectory, String owner) {
      super(
          "the data directory "
              + dataDirectory
              + " is in use by another cache-proxy"
              + (owner.isEmpty() ? "" : " (process " + owner + ")")
              + "; stop it first, or give this one another data directory");
      this.owner = owner;
    }

    /** The process id the lock file names, or an empty string if it names none. */
    public String owner() {
      return owner;
    }
  }

  /** Releases the lock. */
  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }

  private static String readOwner(FileChannel channel) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(32);
    channel.read(buffer, 0);
    String text =
        new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).trim();
    return !text.isEmpty() && text.chars().allMatch(Character::isDigit) ? text : "";
  }

  private static void closeQuietly(@Nullable FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // The lock was not taken; nothing to release.
      }
    }
  }
}
