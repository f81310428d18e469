/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.store;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.ProxyException;
import dev.cacheproxy.core.StorageException;
import dev.cacheproxy.core.spi.BlobStore;
import dev.cacheproxy.core.spi.BlobWriter;
import dev.cacheproxy.core.spi.StoredBlob;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A {@link BlobStore} of plain files: each blob lives at {@code root/<algorithm>/<first two hex
 * digits>/<hex>}, and writers fill temporary files in {@code root/_tmp}, on the same file system,
 * so that a commit is one atomic rename.
 *
 * <p>Concurrency: the store itself holds no mutable state, so any number of threads may use it. A
 * committed file is never modified; it is only replaced by a rename of identical content (two
 * writers of the same digest) or deleted. Readers that opened a file keep reading the same inode
 * after a rename or delete. One store instance owns a root: creating the store deletes whatever
 * temporary files an earlier process left behind.
 */
public final class FileSystemBlobStore implements BlobStore {

  /** The folder under the root that holds temporary files. */
  static final String TEMP_FOLDER = "_tmp";

  private final Path root;
  private final Path tempFolder;

  /**
   * Opens (creating if needed) the store under {@code root} and deletes temporary files left by a
   * crash.
   *
   * @throws StorageException if the folders cannot be created or cleaned
   */
  public FileSystemBlobStore(Path root) {
    this(root, true);
  }

  /**
   * Opens (creating if needed) the store under {@code root}; deletes temporary files left by a
   * crash only if {@code removeTemporaryFiles}. Tools that read a cache while its server runs pass
   * false, because the temporary files may be fills in progress.
   *
   * @throws StorageException if the folders cannot be created or cleaned
   */
  public FileSystemBlobStore(Path root, boolean removeTemporaryFiles) {
    this.root = root.toAbsolutePath().normalize();
    this.tempFolder = this.root.resolve(TEMP_FOLDER);
    try {
      Files.createDirectories(tempFolder);
      if (removeTemporaryFiles) {
        deleteLeftoverTempFiles();
      }
    } catch (IOException e) {
      throw new StorageException(
          "cannot prepare the blob store in " + this.root + ": " + e.getMessage(), e);
    }
  }

  /** The folder this store keeps its blobs in. */
  public Path root() {
    return root;
  }

  @Override
  public Optional<StoredBlob> get(Digest digest) throws IOException {
    Path path = pathOf(digest);
    try {
      BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
      if (!attributes.isRegularFile()) {
        return Optional.empty();
      }
      return Optional.of(new StoredBlob(digest, attributes.size(), path));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public BlobWriter create(Digest expected) throws IOException {
    return FileSystemBlobWriter.open(expected, tempFolder, pathOf(expected));
  }

  @Override
  public boolean delete(Digest digest) throws IOException {
    return Files.deleteIfExists(pathOf(digest));
  }

  @Override
  public void forEach(Consumer<StoredBlob> visitor) throws IOException {
    try (DirectoryStream<Path> algorithms = Files.newDirectoryStream(root, Files::isDirectory)) {
      for (Path algorithmDir : algorithms) {
        String algorithm = algorithmDir.getFileName().toString();
        if (algorithm.equals(TEMP_FOLDER)) {
          continue;
        }
        try (DirectoryStream<Path> prefixes = Files.newDirectoryStream(algorithmDir)) {
          for (Path prefixDir : prefixes) {
            visitPrefix(algorithm, prefixDir, visitor);
          }
        }
      }
    }
  }

  @Override
  public long usableSpace() throws IOException {
    return Files.getFileStore(root).getUsableSpace();
  }

  /** Visits the blobs in one {@code <algorithm>/<xx>} folder, skipping files that are not blobs. */
  private static void visitPrefix(String algorithm, Path prefixDir, Consumer<StoredBlob> visitor)
      throws IOException {
    String prefix = prefixDir.getFileName().toString();
    if (!Files.isDirectory(prefixDir) || prefix.length() != 2) {
      return;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(prefixDir)) {
      for (Path file : files) {
        String hex = file.getFileName().toString();
        if (!hex.startsWith(prefix) || !isLowerHex(hex)) {
          continue;
        }
        Digest digest;
        try {
          digest = new Digest(algorithm, hex);
        } catch (ProxyException e) {
          continue; // not a digest of a supported algorithm: not a blob of this store
        }
        BasicFileAttributes attributes;
        try {
          attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
          continue;
        }
        if (attributes.isRegularFile()) {
          visitor.accept(new StoredBlob(digest, attributes.size(), file));
        }
      }
    }
  }

  private static boolean isLowerHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!HexFormat.isHexDigit(c) || Character.isUpperCase(c)) {
        return false;
      }
    }
    return !s.isEmpty();
  }

  /** Where the blob with this digest lives (whether or not it exists). */
  Path pathOf(Digest digest) {
    String hex = digest.hex();
    return root.resolve(digest.algorithm()).resolve(hex.substring(0, 2)).resolve(hex);
  }

  /** The folder of temporary files. */
  Path tempFolder() {
    return tempFolder;
  }

  private void deleteLeftoverTempFiles() throws IOException {
    try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(tempFolder)) {
      for (Path leftover : leftovers) {
        Files.deleteIfExists(leftover);
      }
    }
  }
}
