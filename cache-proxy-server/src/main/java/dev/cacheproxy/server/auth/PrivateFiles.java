/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.auth;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes files only their owner may read (0600, folders 0700 on POSIX file systems): the htpasswd
 * file, the tokens file and the signing key. A file is written to a temp file beside it and moved
 * into place with {@code ATOMIC_MOVE}, so readers see the old or the new content, never half.
 */
final class PrivateFiles {

  private PrivateFiles() {}

  /** Replaces {@code file} with {@code content} atomically, creating its folder if missing. */
  static void write(Path file, byte[] content) throws IOException {
    Path absolute = file.toAbsolutePath();
    Path parent = absolute.getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      createFolder(parent);
    }
    Path temp =
        absolute.resolveSibling(
            "."
                + absolute.getFileName()
                + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong())
                + ".tmp");
    try {
      Files.createFile(temp, ownerOnly("rw-------"));
      Files.write(temp, content);
      Files.move(
          temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static void createFolder(Path folder) throws IOException {
    Path parent = folder.getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      Files.createDirectories(parent);
    }
    try {
      Files.createDirectory(folder, ownerOnly("rwx------"));
    } catch (FileAlreadyExistsException e) {
      // created concurrently
    }
  }

  private static FileAttribute<?>[] ownerOnly(String permissions) {
    if (!java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      return new FileAttribute<?>[0];
    }
    return new FileAttribute<?>[] {
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions))
    };
  }
}
