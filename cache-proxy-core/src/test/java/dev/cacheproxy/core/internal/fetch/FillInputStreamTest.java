/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.StorageException;
import dev.cacheproxy.core.spi.StoredBlob;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Drives a {@link Fill} by hand and checks what its readers may see. */
@Timeout(30)
class FillInputStreamTest {

  @TempDir Path folder;

  private final byte[] content = randomBytes(1_000);
  private final Digest digest = Digest.sha256(content);
  private final ScriptedSource source = new ScriptedSource();
  private Fill fill;
  private Path temporaryFile;

  @BeforeEach
  void setUp() throws IOException {
    fill = new Fill(digest);
    temporaryFile = folder.resolve("blob.tmp");
    Files.write(temporaryFile, new byte[0]);
  }

  @Test
  void read_beforeCommit_holdsBackLastWrittenByte() throws IOException {
    fill.streaming(content.length, temporaryFile);
    grow(content.length);

    try (InputStream in = new FillInputStream(fill, 0, source)) {
      assertThat(in.readNBytes(content.length - 1))
          .isEqualTo(Arrays.copyOf(content, content.length - 1));
      assertThat(in.available()).isZero();

      fill.committed(new StoredBlob(digest, content.length, temporaryFile));

      assertThat(in.available()).isEqualTo(1);
      assertThat(in.read()).isEqualTo(content[content.length - 1] & 0xff);
      assertThat(in.read()).isEqualTo(-1);
    }
  }

  @Test
  void read_waitingReader_wakesWhenBytesArrive() throws Exception {
    fill.streaming(content.length, temporaryFile);
    try (InputStream in = new FillInputStream(fill, 0, source)) {
      CompletableFuture<byte[]> first = new CompletableFuture<>();
      Thread reader = Thread.ofPlatform().start(() -> readInto(first, in, 500));
      awaitParked(reader);

      grow(600);

      assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(Arrays.copyOf(content, 500));
    }
  }

  @Test
  void read_waitingReader_throwsWhenFillFails() throws Exception {
    fill.streaming(content.length, temporaryFile);
    grow(100);
    try (InputStream in = new FillInputStream(fill, 0, source)) {
      CompletableFuture<byte[]> all = new CompletableFuture<>();
      Thread reader = Thread.ofPlatform().start(() -> readInto(all, in, content.length));
      awaitParked(reader);

      fill.failed(new IOException("connection reset"));

      assertThatThrownBy(() -> all.get(10, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(IOException.class)
          .hasMessage("fill of " + digest + " failed: connection reset");
    }
  }

  @Test
  void read_afterFailure_throwsEvenWithBytesAvailable() throws IOException {
    fill.streaming(content.length, temporaryFile);
    grow(500);
    try (InputStream in = new FillInputStream(fill, 0, source)) {
      assertThat(in.read()).isEqualTo(content[0] & 0xff);

      fill.failed(new IOException("digest mismatch"));

      assertThatThrownBy(in::read)
          .isInstanceOf(IOException.class)
          .hasMessageContaining(digest.hex());
      assertThatThrownBy(in::available).isInstanceOf(IOException.class);
    }
  }

  @Test
  void open_temporaryFileRenamedBeforeCommitPublished_readsCommittedFile() throws Exception {
    fill.streaming(content.length, temporaryFile);
    grow(content.length);
    Path committed = folder.resolve("committed");
    Files.move(temporaryFile, committed);

    CompletableFuture<byte[]> all = new CompletableFuture<>();
    Thread reader =
        Thread.ofPlatform()
            .start(() -> {
              try (InputStream in = new FillInputStream(fill, 0, source)) {
                all.complete(in.readAllBytes());
              } catch (IOException | RuntimeException e) {
                all.completeExceptionally(e);
              }
            });
    awaitParked(reader);
    fill.committed(new StoredBlob(digest, content.length, committed));

    assertThat(all.get(10, TimeUnit.SECONDS)).isEqualTo(content);
  }

  @Test
  void open_afterCommit_readsCommittedFile() throws IOException {
    fill.streaming(content.length, temporaryFile);
    grow(content.length);
    Path committed = folder.resolve("committed");
    Files.move(temporaryFile, committed);
    fill.committed(new StoredBlob(digest, content.length, committed));

    try (InputStream in = new FillInputStream(fill, 10, source)) {
      assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(content, 10, content.length));
    }
  }

  @Test
  void open_afterFailure_throws() {
    fill.streaming(content.length, temporaryFile);
    fill.failed(new IOException("gone"));

    assertThatThrownBy(() -> new FillInputStream(fill, 0, source))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("gone");
  }

  @Test
  void read_fromOffset_startsThere() throws IOException {
    fill.streaming(content.length, temporaryFile);
    grow(content.length);
    fill.committed(new StoredBlob(digest, content.length, temporaryFile));

    try (InputStream in = new FillInputStream(fill, 900, source)) {
      assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(content, 900, content.length));
    }
    try (InputStream in = new FillInputStream(fill, content.length, source)) {
      assertThat(in.read()).isEqualTo(-1);
    }
  }

  @Test
  void read_afterClose_throws() throws IOException {
    fill.streaming(content.length, temporaryFile);
    grow(10);
    InputStream in = new FillInputStream(fill, 0, source);
    in.close();

    assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessageContaining("closed");
  }

  @Test
  void failed_afterCommit_isIgnored() throws IOException {
    fill.streaming(content.length, temporaryFile);
    grow(content.length);
    fill.committed(new StoredBlob(digest, content.length, temporaryFile));

    fill.failed(new IOException("late"));

    assertThat(fill.state()).isEqualTo(Fill.State.COMMITTED);
    try (InputStream in = new FillInputStream(fill, 0, source)) {
      assertThat(in.readAllBytes()).isEqualTo(content);
    }
  }

  @Test
  void read_storeFails_continuesFromUpstreamAtItsPosition() throws IOException {
    fill.streaming(content.length, temporaryFile);
    grow(600);
    source.serveRange(content);

    try (InputStream in = new FillInputStream(fill, 0, source)) {
      assertThat(in.readNBytes(300)).isEqualTo(Arrays.copyOf(content, 300));
      // The fill deletes its temporary file before it says BYPASSED; this reader's channel stays.
      Files.delete(temporaryFile);
      fill.bypassed(new StorageException("cannot write " + digest + ": No space left on device"));

      assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(content, 300, content.length));
    }
    assertThat(source.offsets()).containsExactly(300L);
    assertThat(source.closes()).isEqualTo(1);
  }

  @Test
  void open_afterBypass_readsFromUpstreamFromTheStart() throws IOException {
    fill.streaming(content.length, temporaryFile);
    grow(100);
    Files.delete(temporaryFile);
    fill.bypassed(new StorageException("cannot write " + digest + ": No space left on device"));
    source.serveRange(content);

    try (InputStream in = new FillInputStream(fill, 10, source)) {
      assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(content, 10, content.length));
    }
    assertThat(source.offsets()).containsExactly(0L);
  }

  @Test
  void read_commitFailsAfterVerification_finishesFromItsChannel() throws IOException {
    fill.streaming(content.length, temporaryFile);
    grow(content.length);
    try (InputStream in = new FillInputStream(fill, 0, source)) {
      assertThat(in.readNBytes(500)).isEqualTo(Arrays.copyOf(content, 500));
      fill.verified(content.length);
      Files.delete(temporaryFile);
      fill.bypassed(new StorageException("cannot commit " + digest + ": Read-only file system"));

      assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(content, 500, content.length));
    }
    assertThat(source.opens()).isZero();
  }

  /** Appends the content up to {@code length} to the temporary file and publishes it. */
  private void grow(int length) throws IOException {
    Files.write(temporaryFile, Arrays.copyOf(content, length));
    fill.progress(length);
  }

  private static void readInto(CompletableFuture<byte[]> result, InputStream in, int length) {
    try {
      result.complete(in.readNBytes(length));
    } catch (IOException | RuntimeException e) {
      result.completeExceptionally(e);
    }
  }

  /** Waits until {@code thread} is parked, i.e. waiting on the fill. */
  private static void awaitParked(Thread thread) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (thread.getState() != Thread.State.TIMED_WAITING
        && thread.getState() != Thread.State.WAITING) {
      assertThat(thread.isAlive()).as("reader thread alive").isTrue();
      assertThat(System.nanoTime()).as("reader parked within 10 s").isLessThan(deadline);
      Thread.yield();
    }
  }

  private static byte[] randomBytes(int length) {
    byte[] bytes = new byte[length];
    new Random(0xF111L).nextBytes(bytes);
    return bytes;
  }
}
