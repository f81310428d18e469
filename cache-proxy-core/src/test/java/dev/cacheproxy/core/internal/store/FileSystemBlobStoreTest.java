/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.StorageException;
import dev.cacheproxy.core.spi.BlobStore;
import dev.cacheproxy.core.spi.BlobStoreContractTest;
import dev.cacheproxy.core.spi.BlobWriter;
import dev.cacheproxy.core.spi.StoredBlob;
import dev.cacheproxy.core.testing.FaultyBlobStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSystemBlobStoreTest extends BlobStoreContractTest {

  @TempDir Path root;

  @Override
  protected BlobStore newStore() {
    return new FileSystemBlobStore(root);
  }

  @Override
  protected BlobStore reopen() {
    return new FileSystemBlobStore(root);
  }

  @Test
  void commit_placesBlobUnderAlgorithmAndHexPrefix() throws IOException {
    byte[] content = randomBytes(1_000, 1);
    Digest digest = Digest.sha256(content);

    StoredBlob blob = put(content);

    assertThat(blob.path())
        .isEqualTo(
            root.toAbsolutePath()
                .resolve("sha256")
                .resolve(digest.hex().substring(0, 2))
                .resolve(digest.hex()));
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void create_writesTemporaryFileUnderTempFolder() throws IOException {
    byte[] content = randomBytes(10, 2);
    try (BlobWriter writer = store.create(Digest.sha256(content))) {
      assertThat(writer.temporaryFile().getParent())
          .isEqualTo(root.toAbsolutePath().resolve(FileSystemBlobStore.TEMP_FOLDER));
      assertThat(tempFiles()).containsExactly(writer.temporaryFile());
    }
  }

  @Test
  void start_leftoverTemporaryFiles_areDeleted() throws IOException {
    byte[] content = randomBytes(1_000, 3);
    put(content);
    BlobWriter abandoned = store.create(Digest.sha256(randomBytes(10, 4)));
    abandoned.write(ByteBuffer.wrap(randomBytes(10, 4)));
    // The process "crashes": the writer is never closed.

    FileSystemBlobStore restarted = new FileSystemBlobStore(root);

    assertThat(abandoned.temporaryFile()).doesNotExist();
    assertThat(tempFiles()).isEmpty();
    assertThat(restarted.get(Digest.sha256(content))).isPresent();
    abandoned.close(); // releases the file handle; the file is already gone
  }

  @Test
  void start_rootIsAFile_throwsStorageException() throws IOException {
    Path file = Files.writeString(root.resolve("not-a-folder"), "x");

    assertThatThrownBy(() -> new FileSystemBlobStore(file))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(file.toString());
  }

  @Test
  void digestMismatch_leavesTempFolderEmpty() throws IOException {
    byte[] content = randomBytes(1_000, 5);
    try (BlobWriter writer = store.create(Digest.sha256(randomBytes(1_000, 6)))) {
      writer.write(ByteBuffer.wrap(content));
      assertThatThrownBy(() -> writer.commit(-1)).isInstanceOf(RuntimeException.class);
    }

    assertThat(tempFiles()).isEmpty();
  }

  private List<Path> tempFiles() throws IOException {
    try (Stream<Path> files = Files.list(root.resolve(FileSystemBlobStore.TEMP_FOLDER))) {
      return files.map(Path::toAbsolutePath).toList();
    }
  }

  @Test
  void forEach_skipsFilesThatAreNotBlobs() throws IOException {
    StoredBlob blob = put(randomBytes(1_000, 7));
    String hex = blob.digest().hex();
    Path prefix = blob.path().getParent();
    Files.writeString(root.resolve("README"), "x");
    Files.writeString(prefix.resolve(hex + ".partial"), "x");
    Files.writeString(prefix.resolve(hex.toUpperCase(java.util.Locale.ROOT)), "x");
    Files.writeString(prefix.resolve("zz" + hex.substring(2)), "x");
    Files.createDirectories(prefix.resolve(hex.substring(0, 2) + "0".repeat(62)));
    Files.createDirectories(root.resolve("sha256").resolve("abc"));
    Files.writeString(root.resolve("sha256").resolve("not-a-prefix"), "x");
    Path unknownAlgorithm =
        Files.createDirectories(root.resolve("md5").resolve(hex.substring(0, 2)));
    Files.writeString(unknownAlgorithm.resolve(hex.substring(0, 32)), "x");
    Files.writeString(root.resolve(FileSystemBlobStore.TEMP_FOLDER).resolve(hex), "x");

    assertThat(blobs()).containsExactly(blob);
  }

  @Test
  void crashMidWrite_reopenRemovesTheTemporaryFileAndPublishesNothing() throws IOException {
    byte[] content = randomBytes(200_000, 8);
    Digest digest = Digest.sha256(content);
    FaultyBlobStore crashing = new FaultyBlobStore(store).crashAfter(70_000);
    BlobWriter writer = crashing.create(digest);
    Path temporaryFile = writer.temporaryFile();

    assertThatThrownBy(() -> writer.write(ByteBuffer.wrap(content)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("died");
    writer.close(); // abandoned: a dead process closes nothing
    assertThat(temporaryFile).exists().hasSize(70_000);
    assertThat(crashing.get(digest)).isEmpty();

    FileSystemBlobStore restarted = new FileSystemBlobStore(root);

    assertThat(temporaryFile).doesNotExist();
    assertThat(tempFiles()).isEmpty();
    assertThat(restarted.get(digest)).isEmpty();
    assertThat(blobs(restarted)).isEmpty();
  }
}
