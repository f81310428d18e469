/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cacheproxy.core.Digest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A {@link FileSystemBlobWriter} whose file system fails under it. */
class FileSystemBlobWriterTest {

  @TempDir Path root;

  private final byte[] content = randomBytes(100_000);
  private final Digest digest = Digest.sha256(content);

  @Test
  void write_diskFullMidBuffer_brokenWriterRefusesToCommitAPartialFile() throws IOException {
    Path temp = Files.createDirectories(root.resolve("_tmp"));
    Path target = root.resolve("blob");
    FileSystemBlobWriter writer =
        FileSystemBlobWriter.open(digest, temp, target, file -> new FullDiskChannel(file, 60_000));

    try (writer) {
      writer.write(ByteBuffer.wrap(content, 0, 50_000));
      assertThatThrownBy(() -> writer.write(ByteBuffer.wrap(content, 50_000, 50_000)))
          .isInstanceOf(IOException.class)
          .hasMessage("No space left on device");
      assertThat(writer.written()).isEqualTo(50_000);

      // Even a caller that ignores the failure and goes on cannot publish what is in the file.
      assertThatThrownBy(() -> writer.write(ByteBuffer.wrap(content, 50_000, 50_000)))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("failed earlier");
      assertThatThrownBy(() -> writer.verify(-1)).hasMessageContaining("failed earlier");
      assertThatThrownBy(() -> writer.commit(-1)).hasMessageContaining("failed earlier");
    }

    assertThat(target).doesNotExist();
    assertThat(filesIn(temp)).isEqualTo(0);
  }

  @Test
  void commit_forceFails_publishesNothingAndDeletesTheTemporaryFile() throws IOException {
    Path temp = Files.createDirectories(root.resolve("_tmp"));
    Path target = root.resolve("blob");
    FileSystemBlobWriter writer =
        FileSystemBlobWriter.open(
            digest, temp, target, file -> new FullDiskChannel(file, Long.MAX_VALUE));

    try (writer) {
      writer.write(ByteBuffer.wrap(content));
      assertThatThrownBy(() -> writer.commit(content.length))
          .isInstanceOf(IOException.class)
          .hasMessage("Input/output error");
      assertThat(writer.temporaryFile()).doesNotExist();
    }

    assertThat(target).doesNotExist();
    assertThat(filesIn(temp)).isEqualTo(0);
  }

  private static long filesIn(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.count();
    }
  }

  private static byte[] randomBytes(int length) {
    byte[] bytes = new byte[length];
    new Random(0xD15CL).nextBytes(bytes);
    return bytes;
  }

  /**
   * A file channel on a disk that fills up after {@code room} bytes: the write that crosses it puts
   * what fits in the file and throws, like {@code ENOSPC} after a short write. {@code force} fails
   * with an I/O error.
   */
  private static final class FullDiskChannel extends FileChannel {

    private final FileChannel file;
    private long room;

    FullDiskChannel(Path path, long room) throws IOException {
      this.file = FileChannel.open(path, StandardOpenOption.WRITE);
      this.room = room;
    }

    @Override
    public int write(ByteBuffer source) throws IOException {
      if (source.remaining() <= room) {
        int n = file.write(source);
        room -= n;
        return n;
      }
      ByteBuffer fits = source.duplicate();
      fits.limit(fits.position() + (int) room);
      int n = file.write(fits);
      source.position(source.position() + n);
      room = 0;
      throw new IOException("No space left on device");
    }

    @Override
    public void force(boolean metaData) throws IOException {
      throw new IOException("Input/output error");
    }

    @Override
    public int read(ByteBuffer destination) throws IOException {
      return file.read(destination);
    }

    @Override
    public long read(ByteBuffer[] destinations, int offset, int length) throws IOException {
      return file.read(destinations, offset, length);
    }

    @Override
    public long write(ByteBuffer[] sources, int offset, int length) throws IOException {
      throw new IOException("gathering writes are not simulated");
    }

    @Override
    public long position() throws IOException {
      return file.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      file.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return file.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      file.truncate(size);
      return this;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target)
        throws IOException {
      return file.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel source, long position, long count)
        throws IOException {
      throw new IOException("transfers into the file are not simulated");
    }

    @Override
    public int read(ByteBuffer destination, long position) throws IOException {
      return file.read(destination, position);
    }

    @Override
    public int write(ByteBuffer source, long position) throws IOException {
      throw new IOException("positional writes are not simulated");
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      throw new IOException("mapping is not simulated");
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return file.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return file.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      file.close();
    }
  }
}
