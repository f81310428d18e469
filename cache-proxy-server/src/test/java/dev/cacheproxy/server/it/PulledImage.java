/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.core.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Compares an image pulled with {@code skopeo copy ... dir:<folder>} with the OCI layout it was
 * pushed from, file by file: no direct pull from the upstream is needed to know the right bytes.
 */
final class PulledImage {

  private PulledImage() {}

  /**
   * Asserts that {@code pulled} holds exactly the manifest, the config and the layers of {@code
   * image} (plus skopeo's {@code version} file), each byte-identical to the blob in the image's
   * layout, which was pushed with its digests preserved.
   */
  static void assertIdentical(TestImages.Image image, Path pulled) {
    List<String> expected = new ArrayList<>(List.of("manifest.json", "version"));
    image.blobDigests().forEach(d -> expected.add(d.hex()));
    assertThat(Folders.files(pulled))
        .as("files pulled into %s for %s", pulled, image.manifest().digest())
        .containsExactlyInAnyOrderElementsOf(expected);
    assertSame(image, image.manifest().digest(), pulled.resolve("manifest.json"));
    for (Digest digest : image.blobDigests()) {
      assertSame(image, digest, pulled.resolve(digest.hex()));
    }
  }

  private static void assertSame(TestImages.Image image, Digest digest, Path pulled) {
    Path pushed = image.layout().resolve("blobs").resolve(digest.algorithm()).resolve(digest.hex());
    try {
      assertThat(Files.mismatch(pushed, pulled))
          .as("first byte of %s that differs from the pushed %s (-1: identical)", pulled, digest)
          .isEqualTo(-1L);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
