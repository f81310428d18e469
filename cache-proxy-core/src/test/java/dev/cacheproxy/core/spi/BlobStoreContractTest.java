/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.DigestMismatchException;
import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.ProxyException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link BlobStore} must have. Each implementation's test extends this class
 * and says how to create a fresh, empty store and how to open it again after a crash.
 */
@Timeout(30)
public abstract class BlobStoreContractTest {

  private static final long SEED = 0x5EEDL;

  /** The store under test, fresh for each test. */
  protected BlobStore store;

  /** Creates a fresh, empty store. */
  protected abstract BlobStore newStore() throws IOException;

  /**
   * Opens the storage of {@link #store} again, as a process restarted after a crash would. The new
   * store must have removed the temporary files of writers that were never closed.
   */
  protected abstract BlobStore reopen() throws IOException;

  @BeforeEach
  void createStore() throws IOException {
    store = newStore();
  }

  /** Seeded random bytes. */
  protected static byte[] randomBytes(int length, long seed) {
    byte[] bytes = new byte[length];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  /** Every committed blob {@link BlobStore#forEach} visits. */
  protected List<StoredBlob> blobs() throws IOException {
    return blobs(store);
  }

  /** Every committed blob {@code visited}'s {@link BlobStore#forEach} visits. */
  protected static List<StoredBlob> blobs(BlobStore visited) throws IOException {
    List<StoredBlob> found = new ArrayList<>();
    visited.forEach(found::add);
    return found;
  }

  /** Writes {@code content} and commits it with its size; returns the stored blob. */
  protected StoredBlob put(byte[] content) throws IOException {
    Digest digest = Digest.sha256(content);
    try (BlobWriter writer = store.create(digest)) {
      writer.write(ByteBuffer.wrap(content));
      return writer.commit(content.length);
    }
  }

  @Test
  void commit_matchingContent_isReadableThroughGet() throws IOException {
    byte[] content = randomBytes(200_000, SEED);
    Digest digest = Digest.sha256(content);

    StoredBlob committed = put(content);

    Optional<StoredBlob> found = store.get(digest);
    assertThat(found).contains(committed);
    assertThat(committed.digest()).isEqualTo(digest);
    assertThat(committed.size()).isEqualTo(content.length);
    assertThat(Files.readAllBytes(committed.path())).isEqualTo(content);
  }

  @Test
  void commit_writtenInManyBuffers_hashesAllOfThem() throws IOException {
    byte[] content = randomBytes(100_000, SEED + 1);
    Digest digest = Digest.sha256(content);
    try (BlobWriter writer = store.create(digest)) {
      for (int start = 0; start < content.length; start += 7_777) {
        int length = Math.min(7_777, content.length - start);
        writer.write(ByteBuffer.wrap(content, start, length));
        assertThat(writer.written()).isEqualTo(start + length);
      }
      writer.commit(content.length);
    }

    assertThat(Files.readAllBytes(store.get(digest).orElseThrow().path())).isEqualTo(content);
  }

  @Test
  void commit_unknownSize_acceptsWhatWasWritten() throws IOException {
    byte[] content = randomBytes(1_000, SEED + 2);
    Digest digest = Digest.sha256(content);
    try (BlobWriter writer = store.create(digest)) {
      writer.write(ByteBuffer.wrap(content));
      assertThat(writer.commit(-1).size()).isEqualTo(content.length);
    }

    assertThat(store.get(digest)).isPresent();
  }

  @Test
  void commit_emptyBlob_isStored() throws IOException {
    StoredBlob committed = put(new byte[0]);

    assertThat(committed.size()).isZero();
    assertThat(store.get(Digest.sha256(new byte[0]))).contains(committed);
  }

  @Test
  void commit_sha512Digest_isStored() throws IOException {
    byte[] content = randomBytes(5_000, SEED + 3);
    Digest digest = Digest.parse("sha512:" + "0".repeat(128)).of(content);
    try (BlobWriter writer = store.create(digest)) {
      writer.write(ByteBuffer.wrap(content));
      writer.commit(content.length);
    }

    assertThat(Files.readAllBytes(store.get(digest).orElseThrow().path())).isEqualTo(content);
  }

  @Test
  void commit_digestMismatch_throwsNamingBothDigestsAndPublishesNothing() throws IOException {
    byte[] content = randomBytes(10_000, SEED + 4);
    Digest expected = Digest.sha256(content);
    byte[] corrupted = content.clone();
    corrupted[corrupted.length - 1] ^= 1;
    Digest actual = Digest.sha256(corrupted);

    Path temporaryFile;
    try (BlobWriter writer = store.create(expected)) {
      temporaryFile = writer.temporaryFile();
      writer.write(ByteBuffer.wrap(corrupted));
      assertThatThrownBy(() -> writer.commit(content.length))
          .isInstanceOf(DigestMismatchException.class)
          .hasMessageContaining(expected.toString())
          .hasMessageContaining(actual.toString());
      assertThat(temporaryFile).doesNotExist();
    }

    assertThat(store.get(expected)).isEmpty();
    assertThat(store.get(actual)).isEmpty();
    assertThat(blobs()).isEmpty();
  }

  @Test
  void commit_sizeMismatch_throwsAndPublishesNothing() throws IOException {
    byte[] content = randomBytes(10_000, SEED + 5);
    Digest digest = Digest.sha256(content);

    try (BlobWriter writer = store.create(digest)) {
      writer.write(ByteBuffer.wrap(content));
      assertThatThrownBy(() -> writer.commit(content.length + 1))
          .isInstanceOfSatisfying(
              ProxyException.class, e -> assertThat(e.code()).isEqualTo(OciErrorCode.SIZE_INVALID))
          .hasMessageContaining(digest.toString());
      assertThat(writer.temporaryFile()).doesNotExist();
    }

    assertThat(store.get(digest)).isEmpty();
    assertThat(blobs()).isEmpty();
  }

  @Test
  void close_withoutCommit_deletesTemporaryFile() throws IOException {
    byte[] content = randomBytes(4_096, SEED + 6);
    Digest digest = Digest.sha256(content);
    Path temporaryFile;

    try (BlobWriter writer = store.create(digest)) {
      temporaryFile = writer.temporaryFile();
      writer.write(ByteBuffer.wrap(content));
      assertThat(temporaryFile).exists();
    }

    assertThat(temporaryFile).doesNotExist();
    assertThat(store.get(digest)).isEmpty();
    assertThat(blobs()).isEmpty();
  }

  @Test
  void write_afterCommit_isRefused() throws IOException {
    byte[] content = randomBytes(100, SEED + 7);
    try (BlobWriter writer = store.create(Digest.sha256(content))) {
      writer.write(ByteBuffer.wrap(content));
      writer.commit(content.length);

      assertThatThrownBy(() -> writer.write(ByteBuffer.wrap(content)))
          .isInstanceOf(IOException.class);
      assertThatThrownBy(() -> writer.commit(content.length)).isInstanceOf(IOException.class);
    }
  }

  @Test
  void temporaryFile_whileGrowing_isReadableUpToWritten() throws IOException {
    byte[] content = randomBytes(300_000, SEED + 8);
    Digest digest = Digest.sha256(content);

    try (BlobWriter writer = store.create(digest);
        FileChannel reader = FileChannel.open(writer.temporaryFile(), StandardOpenOption.READ)) {
      int[] cuts = {0, 1, 65_536, 200_000, content.length};
      for (int i = 1; i < cuts.length; i++) {
        writer.write(ByteBuffer.wrap(content, cuts[i - 1], cuts[i] - cuts[i - 1]));
        ByteBuffer seen = ByteBuffer.allocate((int) writer.written());
        while (seen.hasRemaining()) {
          assertThat(reader.read(seen, seen.position())).isNotNegative();
        }
        assertThat(seen.array()).isEqualTo(Arrays.copyOf(content, cuts[i]));
      }
      StoredBlob committed = writer.commit(content.length);

      // A reader that opened the temporary file keeps reading the same content after the commit.
      ByteBuffer all = ByteBuffer.allocate(content.length);
      while (all.hasRemaining()) {
        assertThat(reader.read(all, all.position())).isNotNegative();
      }
      assertThat(all.array()).isEqualTo(content);
      assertThat(Files.readAllBytes(committed.path())).isEqualTo(content);
    }
  }

  @Test
  void commit_sameDigestConcurrently_bothSucceedWithOneBlob() throws Exception {
    byte[] content = randomBytes(500_000, SEED + 9);
    Digest digest = Digest.sha256(content);
    int writers = 4;
    CyclicBarrier lineUp = new CyclicBarrier(writers);
    List<Path> temporaryFiles = new ArrayList<>();
    List<Future<StoredBlob>> commits = new ArrayList<>();

    try (ExecutorService threads = Executors.newFixedThreadPool(writers)) {
      for (int i = 0; i < writers; i++) {
        BlobWriter writer = store.create(digest);
        temporaryFiles.add(writer.temporaryFile());
        commits.add(
            threads.submit(() -> {
              try (writer) {
                writer.write(ByteBuffer.wrap(content));
                lineUp.await(10, TimeUnit.SECONDS);
                return writer.commit(content.length);
              }
            }));
      }
      for (Future<StoredBlob> commit : commits) {
        StoredBlob blob = commit.get(20, TimeUnit.SECONDS);
        assertThat(blob.digest()).isEqualTo(digest);
        assertThat(blob.size()).isEqualTo(content.length);
      }
    }

    StoredBlob stored = store.get(digest).orElseThrow();
    assertThat(Files.readAllBytes(stored.path())).isEqualTo(content);
    assertThat(temporaryFiles).allSatisfy(file -> assertThat(file).doesNotExist());
    assertThat(blobs()).containsExactly(stored);
  }

  @Test
  void get_unknownDigest_isEmpty() throws IOException {
    assertThat(store.get(Digest.sha256(randomBytes(10, SEED + 10)))).isEmpty();
  }

  @Test
  void delete_committedBlob_removesIt() throws IOException {
    byte[] content = randomBytes(1_000, SEED + 11);
    put(content);
    Digest digest = Digest.sha256(content);

    assertThat(store.delete(digest)).isTrue();

    assertThat(store.get(digest)).isEmpty();
    assertThat(store.delete(digest)).isFalse();
  }

  @Test
  void commit_afterDelete_storesAgain() throws IOException {
    byte[] content = randomBytes(1_000, SEED + 12);
    put(content);
    store.delete(Digest.sha256(content));

    StoredBlob again = put(content);

    assertThat(Files.readAllBytes(again.path())).isEqualTo(content);
  }

  @Test
  void verify_thenCommit_publishesAndRefusesFurtherWrites() throws IOException {
    byte[] content = "verified first".getBytes(StandardCharsets.UTF_8);
    Digest digest = Digest.sha256(content);
    try (BlobWriter writer = store.create(digest)) {
      writer.write(ByteBuffer.wrap(content));
      writer.verify(content.length);
      assertThat(store.get(digest)).isEmpty();
      assertThatThrownBy(() -> writer.write(ByteBuffer.wrap(content)))
          .isInstanceOf(IOException.class);
      writer.commit(content.length);
    }
    assertThat(store.get(digest)).isPresent();
  }

  @Test
  void verify_mismatch_deletesTemporaryFileAndPublishesNothing() throws IOException {
    byte[] content = "wrong bytes".getBytes(StandardCharsets.UTF_8);
    Digest digest = Digest.sha256("right bytes".getBytes(StandardCharsets.UTF_8));
    Path temp;
    try (BlobWriter writer = store.create(digest)) {
      temp = writer.temporaryFile();
      writer.write(ByteBuffer.wrap(content));
      assertThatThrownBy(() -> writer.verify(-1)).isInstanceOf(DigestMismatchException.class);
    }
    assertThat(temp).doesNotExist();
    assertThat(store.get(digest)).isEmpty();
  }

  @Test
  void forEach_listsCommittedBlobsOnly() throws IOException {
    StoredBlob first = put(randomBytes(1_000, SEED + 20));
    StoredBlob second = put(randomBytes(2_000, SEED + 21));
    StoredBlob deleted = put(randomBytes(3_000, SEED + 22));
    store.delete(deleted.digest());
    byte[] pending = randomBytes(4_000, SEED + 23);
    byte[] abandoned = randomBytes(5_000, SEED + 24);
    try (BlobWriter abandonedWriter = store.create(Digest.sha256(abandoned))) {
      abandonedWriter.write(ByteBuffer.wrap(abandoned));
    }

    try (BlobWriter writing = store.create(Digest.sha256(pending))) {
      writing.write(ByteBuffer.wrap(pending));
      writing.verify(pending.length);

      assertThat(blobs()).containsExactlyInAnyOrder(first, second);
    }
  }

  @Test
  void forEach_emptyStore_visitsNothing() throws IOException {
    assertThat(blobs()).isEmpty();
  }

  @Test
  void usableSpace_isPositive() throws IOException {
    assertThat(store.usableSpace()).isPositive();
  }

  @Test
  void delete_whileAReaderHasTheBlobOpen_readerKeepsReadingIt() throws IOException {
    byte[] content = randomBytes(150_000, SEED + 25);
    StoredBlob blob = put(content);

    try (FileChannel reader = FileChannel.open(blob.path(), StandardOpenOption.READ)) {
      ByteBuffer head = ByteBuffer.allocate(1_000);
      reader.read(head, 0);

      assertThat(store.delete(blob.digest())).isTrue();
      assertThat(store.get(blob.digest())).isEmpty();

      ByteBuffer all = ByteBuffer.allocate(content.length);
      while (all.hasRemaining()) {
        assertThat(reader.read(all, all.position())).isNotNegative();
      }
      assertThat(all.array()).isEqualTo(content);
    }
    assertThat(blobs()).isEmpty();
  }

  @Test
  void reopen_afterWritersWereAbandoned_removesTheirTemporaryFiles() throws IOException {
    byte[] kept = randomBytes(2_000, SEED + 26);
    StoredBlob committed = put(kept);
    byte[] half = randomBytes(10_000, SEED + 27);
    Digest halfDigest = Digest.sha256(half);
    // The process dies mid-write: this writer is never closed (until the end of the test).
    BlobWriter abandoned = store.create(halfDigest);
    try {
      abandoned.write(ByteBuffer.wrap(half, 0, 4_000));
      BlobWriter verifiedOnly = store.create(Digest.sha256(kept));
      verifiedOnly.write(ByteBuffer.wrap(kept));
      verifiedOnly.verify(kept.length);
      assertThat(abandoned.temporaryFile()).exists();

      BlobStore restarted = reopen();

      assertThat(abandoned.temporaryFile()).doesNotExist();
      assertThat(verifiedOnly.temporaryFile()).doesNotExist();
      assertThat(restarted.get(halfDigest)).isEmpty();
      assertThat(restarted.get(committed.digest())).contains(committed);
      assertThat(blobs(restarted)).containsExactly(committed);
      verifiedOnly.close();
    } finally {
      abandoned.close();
    }
  }
}
