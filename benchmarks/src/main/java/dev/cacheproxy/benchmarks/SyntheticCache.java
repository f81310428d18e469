/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.internal.manifest.MediaTypes;
import dev.cacheproxy.core.internal.manifest.RepositoryIndex;
import dev.cacheproxy.core.internal.manifest.RepositoryIndex.ManifestRecord;
import dev.cacheproxy.rules.Registry;
import dev.cacheproxy.rules.RepositoryName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Writes a cache data directory with many images, as the proxy would have left it, without an
 * upstream: blob files in the store's layout and manifest records in the index. Each image is a
 * manifest, a config and {@code layers} layers, one of them a base layer shared with every other
 * image of the same base ({@value #BASES} bases), so eviction has shared layers to keep.
 */
final class SyntheticCache {

  /** How many distinct base layers the images share. */
  static final int BASES = 50;

  /** The repository names are {@code bench/app<n>} at docker.io, one per {@value} images. */
  static final int IMAGES_PER_REPOSITORY = 10;

  /** The rule the records say they were pulled through. */
  static final String RULE = "hub";

  private SyntheticCache() {}

  /** One generated image. */
  record Image(RepositoryName repository, Digest manifest, long bytes) {}

  /**
   * Fills {@code dataDirectory} with {@code images} images of {@code layers} layers (one shared
   * base plus {@code layers - 1} of their own) of {@code layerBytes} bytes each. Image {@code i}
   * was last pulled at {@code i} seconds after the epoch, so image 0 is the least recently pulled.
   */
  static List<Image> create(Path dataDirectory, int images, int layers, int layerBytes, long seed) {
    try {
      Path blobs = dataDirectory.resolve("blobs");
      RepositoryIndex index = new RepositoryIndex(dataDirectory.resolve("repositories"));
      SplittableRandom random = new SplittableRandom(seed);
      List<Digest> bases = new ArrayList<>();
      for (int b = 0; b < BASES; b++) {
        bases.add(writeBlob(blobs, randomBytes(random, layerBytes)));
      }
      List<Image> created = new ArrayList<>(images);
      for (int i = 0; i < images; i++) {
        StringBuilder layerJson = new StringBuilder();
        layerJson.append(descriptor(bases.get(i % BASES), layerBytes));
        for (int l = 1; l < layers; l++) {
          Digest layer = writeBlob(blobs, randomBytes(random, layerBytes));
          layerJson.append(',').append(descriptor(layer, layerBytes));
        }
        byte[] config =
            ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"image\":" + i + "}")
                .getBytes(StandardCharsets.UTF_8);
        Digest configDigest = writeBlob(blobs, config);
        byte[] manifest =
            ("{\"schemaVersion\":2,\"mediaType\":\""
                    + MediaTypes.OCI_MANIFEST
                    + "\",\"config\":"
                    + descriptor(configDigest, config.length)
                    + ",\"layers\":["
                    + layerJson
                    + "]}")
                .getBytes(StandardCharsets.UTF_8);
        Digest manifestDigest = writeBlob(blobs, manifest);
        RepositoryName repository = RepositoryName.of("bench/app" + i / IMAGES_PER_REPOSITORY);
        index.putManifest(
            Registry.of("docker.io"),
            repository,
            manifestDigest,
            new ManifestRecord(MediaTypes.OCI_MANIFEST, manifest.length, 1000L * (i + 1), RULE));
        created.add(
            new Image(
                repository,
                manifestDigest,
                (long) layers * layerBytes + config.length + manifest.length));
      }
      return created;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes a folder and everything in it. */
  static void delete(Path folder) {
    if (!Files.exists(folder)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(folder)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String descriptor(Digest digest, long size) {
    return "{\"mediaType\":\"application/octet-stream\",\"digest\":\""
        + digest
        + "\",\"size\":"
        + size
        + "}";
  }

  private static byte[] randomBytes(SplittableRandom random, int size) {
    byte[] bytes = new byte[size];
    random.nextBytes(bytes);
    return bytes;
  }

  /** Writes a blob where the file-system store keeps it. */
  private static Digest writeBlob(Path blobs, byte[] content) throws IOException {
    Digest digest = Digest.sha256(content);
    Path dir = blobs.resolve(digest.algorithm()).resolve(digest.hex().substring(0, 2));
    Files.createDirectories(dir);
    Files.write(dir.resolve(digest.hex()), content);
    return digest;
  }
}
