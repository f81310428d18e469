/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.storage;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.StorageException;
import dev.cacheproxy.core.internal.store.FileSystemBlobStore;
import dev.cacheproxy.core.spi.StoredBlob;
import dev.cacheproxy.core.storage.VerifyReport.CorruptBlob;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Re-hashes every blob of a store, in digest order (which is the order of their folders), streaming
 * each through one fixed buffer with the algorithm of its digest. Only reads.
 */
final class BlobCheck {

  /** The size of the one buffer every blob is read through. */
  static final int BUFFER_SIZE = 1 << 20;

  private BlobCheck() {}

  /**
   * Checks every blob of {@code store}; the report lists the corrupt ones and is not repaired.
   *
   * @throws StorageException if the blobs cannot be listed
   */
  static VerifyReport check(FileSystemBlobStore store, ProgressListener progress) {
    List<StoredBlob> blobs = new ArrayList<>();
    try {
      store.forEach(blobs::add);
    } catch (IOException e) {
      throw new StorageException("cannot list the blobs in " + store.root() + ": " + e, e);
    }
    blobs.sort(Comparator.comparing(StoredBlob::digest));
    long total = CacheMaintenance.sizeOf(blobs);
    ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
    List<CorruptBlob> corrupt = new ArrayList<>();
    long checked = 0;
    long checkedBytes = 0;
    long doneBytes = 0;
    progress.progress(0, blobs.size(), 0, total);
    for (int i = 0; i < blobs.size(); i++) {
      StoredBlob blob = blobs.get(i);
      long before = doneBytes;
      int done = i;
      try {
        String problem =
            problemOf(
                blob, buffer, read -> progress.progress(done, blobs.size(), before + read, total));
        checked++;
        checkedBytes += blob.size();
        if (problem != null) {
          corrupt.add(new CorruptBlob(blob.digest(), blob.size(), blob.path(), problem));
        }
      } catch (NoSuchFileException e) {
        // Deleted (evicted) by a running server after the listing: nothing left to check.
      }
      doneBytes += blob.size();
      progress.progress(i + 1, blobs.size(), doneBytes, total);
    }
    return new VerifyReport(checked, checkedBytes, corrupt, false, List.of(), List.of());
  }

  /** Receives how many bytes of the current blob were read. */
  @FunctionalInterface
  private interface ReadProgress {
    void read(long bytes);
  }

  /**
   * What is wrong with a blob's content, or null if it hashes to its digest.
   *
   * @throws NoSuchFileException if the blob was deleted before it could be opened
   */
  private static @Nullable String problemOf(
      StoredBlob blob, ByteBuffer buffer, ReadProgress progress) throws NoSuchFileException {
    MessageDigest hasher = blob.digest().newMessageDigest();
    long read = 0;
    try (FileChannel channel = FileChannel.open(blob.path(), StandardOpenOption.READ)) {
      buffer.clear();
      while (channel.read(buffer) >= 0) {
        buffer.flip();
        read += buffer.remaining();
        hasher.update(buffer);
        buffer.clear();
        progress.read(read);
      }
    } catch (NoSuchFileException e) {
      throw e;
    } catch (IOException e) {
      return "cannot be read: " + e;
    }
    Digest actual =
        new Digest(blob.digest().algorithm(), HexFormat.of().formatHex(hasher.digest()));
    if (!actual.equals(blob.digest())) {
      return "content hashes to " + actual;
    }
    return null;
  }
}
