/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.store;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.DigestMismatchException;
import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.ProxyException;
import dev.cacheproxy.core.spi.BlobWriter;
import dev.cacheproxy.core.spi.StoredBlob;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * Writes one blob of a {@link FileSystemBlobStore} to a temporary file through a {@link
 * FileChannel}, hashing the bytes as they are written.
 *
 * <p>A write that fails (for example with "No space left on device") may have put part of its bytes
 * in the file but all of them in the hash, so the writer is broken from then on: it refuses to
 * write, verify or commit, and closing it deletes the temporary file.
 *
 * <p>Concurrency: one thread writes, commits and closes. {@link #written()} is volatile and is
 * updated only after the bytes were handed to the file system, so another thread that reads the
 * temporary file through its own channel finds at least that many bytes there.
 */
final class FileSystemBlobWriter implements BlobWriter {

  private final Digest expected;
  private final Path temporaryFile;
  private final Path target;
  private final FileChannel channel;
  private final MessageDigest hasher;
  private volatile long written;
  private boolean verified;
  private boolean committed;
  private boolean moved;
  private boolean closed;
  private @Nullable IOException broken;

  private FileSystemBlobWriter(
      Digest expected, Path temporaryFile, Path target, FileChannel channel) {
    this.expected = expected;
    this.temporaryFile = temporaryFile;
    this.target = target;
    this.channel = channel;
    this.hasher = expected.newMessageDigest();
  }

  /** Opens the channel a writer writes its temporary file through. */
  @FunctionalInterface
  interface ChannelOpener {
    /** Opens {@code file} for writing. */
    FileChannel open(Path file) throws IOException;
  }

  /**
   * Creates a temporary file in {@code tempFolder} and a writer that commits it to {@code target}.
   */
  static FileSystemBlobWriter open(Digest expected, Path tempFolder, Path target)
      throws IOException {
    return open(
        expected, tempFolder, target, file -> FileChannel.open(file, StandardOpenOption.WRITE));
  }

  /** {@link #open(Digest, Path, Path)} writing through a channel from {@code opener}. */
  static FileSystemBlobWriter open(
      Digest expected, Path tempFolder, Path target, ChannelOpener opener) throws IOException {
    Path file = Files.createTempFile(tempFolder, expected.hex().substring(0, 16) + "-", ".tmp");
    try {
      return new FileSystemBlobWriter(expected, file, target, opener.open(file));
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(file);
      throw e;
    }
  }

  @Override
  public Path temporaryFile() {
    return temporaryFile;
  }

  @Override
  // Only the one writing thread updates written; other threads only read it (class comment).
  @SuppressWarnings("NonAtomicVolatileUpdate")
  public void write(ByteBuffer buffer) throws IOException {
    ensureWritable();
    if (verified) {
      throw new IOException("the writer of " + expected + " is already verified");
    }
    int length = buffer.remaining();
    hasher.update(buffer.duplicate());
    try {
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    } catch (IOException e) {
      broken = e;
      throw e;
    }
    written += length;
  }

  @Override
  public long written() {
    return written;
  }

  @Override
  public void verify(long expectedSize) throws IOException {
    ensureWritable();
    if (verified) {
      return;
    }
    boolean ok = false;
    try {
      long size = written;
      if (expectedSize != -1 && size != expectedSize) {
        throw new ProxyException(
            OciErrorCode.SIZE_INVALID,
            expected + " should be " + expectedSize + " bytes but " + size + " arrived");
      }
      Digest actual = new Digest(expected.algorithm(), HexFormat.of().formatHex(hasher.digest()));
      if (!actual.equals(expected)) {
        throw new DigestMismatchException(
            "content fetched as " + expected + " hashed to " + actual + " (" + size + " bytes)");
      }
      verified = true;
      ok = true;
    } finally {
      if (!ok) {
        close();
      }
    }
  }

  @Override
  public StoredBlob commit(long expectedSize) throws IOException {
    ensureWritable();
    try {
      verify(expectedSize);
      long size = written;
      channel.force(true);
      channel.close();
      publish();
      committed = true;
      return new StoredBlob(expected, size, target);
    } finally {
      close();
    }
  }

  /** Moves the temporary file into place, unless another writer already published this digest. */
  private void publish() throws IOException {
    Files.createDirectories(target.getParent());
    if (Files.exists(target)) {
      return;
    }
    try {
      Files.move(temporaryFile, target, StandardCopyOption.ATOMIC_MOVE);
      moved = true;
    } catch (FileAlreadyExistsException e) {
      // Another writer of the same digest won the race; its content is identical.
    }
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      channel.close();
    } finally {
      if (!moved) {
        Files.deleteIfExists(temporaryFile);
      }
    }
  }

  private void ensureWritable() throws IOException {
    IOException failure = broken;
    if (failure != null) {
      throw new IOException(
          "the writer of " + expected + " failed earlier: " + failure.getMessage(), failure);
    }
    if (committed || closed) {
      throw new IOException(
          "the writer of " + expected + " is already " + (committed ? "committed" : "closed"));
    }
  }
}
