/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Compares folders written by {@code skopeo copy ... dir:<folder>}. */
final class Folders {

  private Folders() {}

  /**
   * Asserts that {@code actual} holds the same files as {@code expected}, with the same bytes
   * (compared streaming, so large blobs are fine).
   */
  static void assertIdentical(Path expected, Path actual) {
    List<String> expectedFiles = files(expected);
    assertThat(expectedFiles).as("files in %s", expected).isNotEmpty();
    assertThat(files(actual)).as("files in %s vs %s", actual, expected).isEqualTo(expectedFiles);
    for (String name : expectedFiles) {
      try {
        long mismatch = Files.mismatch(expected.resolve(name), actual.resolve(name));
        assertThat(mismatch)
            .as("first differing byte of %s (-1: identical) in %s vs %s", name, actual, expected)
            .isEqualTo(-1L);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** The relative names of the regular files under {@code dir}, sorted. */
  static List<String> files(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile)
          .map(p -> dir.relativize(p).toString())
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }
}
