/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.internal.store.FileSystemBlobStore;
import dev.cacheproxy.core.spi.BlobStore;
import dev.cacheproxy.core.spi.BlobStoreContractTest;
import dev.cacheproxy.core.spi.BlobWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With no fault scripted the wrapper is a store like any other; scripted, it fails as told. */
class FaultyBlobStoreTest extends BlobStoreContractTest {

  @TempDir Path root;

  private FaultyBlobStore faulty;

  @Override
  protected BlobStore newStore() {
    faulty = new FaultyBlobStore(new FileSystemBlobStore(root));
    return faulty;
  }

  @Override
  protected BlobStore reopen() {
    return new FaultyBlobStore(new FileSystemBlobStore(root));
  }

  @Test
  void failCreate_throwsNoSpaceAndLeavesNoFile() throws IOException {
    faulty.failCreate();

    assertThatThrownBy(() -> faulty.create(Digest.sha256(new byte[1])))
        .isInstanceOf(IOException.class)
        .hasMessage(FaultyBlobStore.NO_SPACE);
    assertThat(tempFiles()).isEmpty();
    assertThat(faulty.faults()).isEqualTo(1);
  }

  @Test
  void failWritesAfter_writesWhatFitsThenBreaksTheWriter() throws IOException {
    byte[] content = randomBytes(10_000, 1);
    faulty.failWritesAfter(6_000);
    Path temporaryFile;

    try (BlobWriter writer = faulty.create(Digest.sha256(content))) {
      temporaryFile = writer.temporaryFile();
      writer.write(ByteBuffer.wrap(content, 0, 4_000));
      assertThatThrownBy(() -> writer.write(ByteBuffer.wrap(content, 4_000, 6_000)))
          .hasMessage(FaultyBlobStore.NO_SPACE);
      assertThat(temporaryFile).hasSize(6_000);
      assertThatThrownBy(() -> writer.commit(-1)).hasMessageContaining("failed earlier");
    }

    assertThat(temporaryFile).doesNotExist();
    assertThat(faulty.get(Digest.sha256(content))).isEmpty();
  }

  @Test
  void failCommit_verifiesThenPublishesNothing() throws IOException {
    byte[] content = randomBytes(10_000, 2);
    faulty.failCommit();

    try (BlobWriter writer = faulty.create(Digest.sha256(content))) {
      writer.write(ByteBuffer.wrap(content));
      assertThatThrownBy(() -> writer.commit(content.length))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("cannot rename");
      assertThat(writer.temporaryFile()).doesNotExist();
    }

    assertThat(faulty.get(Digest.sha256(content))).isEmpty();
    assertThat(blobs()).isEmpty();
  }

  @Test
  void heal_clearsTheScript() throws IOException {
    byte[] content = randomBytes(10_000, 3);
    faulty.failCreate().failWritesAfter(10).failCommit().crashAfter(10);

    faulty.heal();

    assertThat(put(content).size()).isEqualTo(content.length);
    assertThat(faulty.faults()).isZero();
  }

  private java.util.List<Path> tempFiles() throws IOException {
    try (Stream<Path> files = Files.list(root.resolve("_tmp"))) {
      return files.toList();
    }
  }
}
