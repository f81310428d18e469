/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.storage;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.internal.manifest.RepositoryIndex;
import dev.cacheproxy.core.internal.manifest.RepositoryIndex.ManifestRecord;
import dev.cacheproxy.core.internal.store.FileSystemBlobStore;
import dev.cacheproxy.core.spi.BlobWriter;
import dev.cacheproxy.core.spi.StoredBlob;
import dev.cacheproxy.rules.Registry;
import dev.cacheproxy.rules.RepositoryName;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * A small cache written through the real store and index: {@code docker.io/library/app} (an index
 * with two platform manifests, each with a config, the shared layer and a layer of its own), {@code
 * ghcr.io/acme/tool} (one image manifest with a config, the shared layer and a layer of its own,
 * plus a dangling record), and two orphan blobs. Every blob has a distinct size.
 */
final class TestCache {

  static final Registry HUB = Registry.of("docker.io");
  static final Registry GHCR = Registry.of("ghcr.io");
  static final RepositoryName APP = RepositoryName.of("library/app");
  static final RepositoryName TOOL = RepositoryName.of("acme/tool");

  static final String IMAGE = "application/vnd.oci.image.manifest.v1+json";
  static final String INDEX = "application/vnd.oci.image.index.v1+json";
  private static final String CONFIG = "application/vnd.oci.image.config.v1+json";
  private static final String LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";

  final Path dir;
  final FileSystemBlobStore store;
  final RepositoryIndex index;
  final StoredBlob sharedLayer;
  final StoredBlob config1;
  final StoredBlob layer1;
  final StoredBlob manifest1;
  final StoredBlob config2;
  final StoredBlob layer2;
  final StoredBlob manifest2;
  final StoredBlob appIndex;
  final StoredBlob toolConfig;
  final StoredBlob toolLayer;
  final StoredBlob toolManifest;
  final StoredBlob orphan1;
  final StoredBlob orphan2;
  final Digest danglingDigest;

  private TestCache(Path dir) throws IOException {
    this.dir = dir;
    store = new FileSystemBlobStore(dir.resolve("blobs"));
    index = new RepositoryIndex(dir.resolve("repositories"));
    sharedLayer = put(randomBytes(5_000, 1));
    config1 = put(randomBytes(301, 2));
    layer1 = put(randomBytes(2_001, 3));
    manifest1 = put(image(config1, sharedLayer, layer1));
    config2 = put(randomBytes(302, 4));
    layer2 = put(randomBytes(2_002, 5));
    manifest2 = put(image(config2, sharedLayer, layer2));
    appIndex = put(index(manifest1, manifest2));
    toolConfig = put(randomBytes(303, 6));
    toolLayer = put(randomBytes(4_003, 7));
    toolManifest = put(image(toolConfig, sharedLayer, toolLayer));
    orphan1 = put(randomBytes(1_234, 8));
    orphan2 = put(randomBytes(4_321, 9));
    danglingDigest = Digest.sha256("gone".getBytes(StandardCharsets.UTF_8));

    record(HUB, APP, appIndex, INDEX, 1_000, "old");
    record(HUB, APP, manifest1, IMAGE, 3_000, "hub");
    record(HUB, APP, manifest2, IMAGE, 2_000, "hub-arm");
    index.putManifest(GHCR, TOOL, toolManifest.digest(), new ManifestRecord(IMAGE, 123));
    index.putManifest(GHCR, TOOL, danglingDigest, new ManifestRecord(IMAGE, 4));
  }

  /** Writes the cache into {@code dir}. */
  static TestCache populate(Path dir) throws IOException {
    return new TestCache(dir);
  }

  /** The blobs of {@code docker.io/library/app}. */
  List<StoredBlob> appBlobs() {
    return List.of(sharedLayer, config1, layer1, manifest1, config2, layer2, manifest2, appIndex);
  }

  /** The blobs of {@code ghcr.io/acme/tool}. */
  List<StoredBlob> toolBlobs() {
    return List.of(sharedLayer, toolConfig, toolLayer, toolManifest);
  }

  /** Every stored blob, in digest order. */
  List<StoredBlob> allBlobs() throws IOException {
    List<StoredBlob> blobs = new ArrayList<>();
    store.forEach(blobs::add);
    blobs.sort(Comparator.comparing(StoredBlob::digest));
    return blobs;
  }

  /** The size of the 13 blobs written at first. */
  long totalBytes() {
    List<StoredBlob> all = new ArrayList<>(appBlobs());
    all.addAll(toolBlobs().subList(1, 4));
    all.add(orphan1);
    all.add(orphan2);
    return sizeOf(all);
  }

  long sizeOf(List<StoredBlob> blobs) {
    return blobs.stream().mapToLong(StoredBlob::size).sum();
  }

  /** Commits {@code content} through a {@link BlobWriter}. */
  StoredBlob put(byte[] content) throws IOException {
    try (BlobWriter writer = store.create(Digest.sha256(content))) {
      writer.write(ByteBuffer.wrap(content));
      return writer.commit(content.length);
    }
  }

  /** Overwrites a stored blob with other bytes of the same length. */
  void corrupt(StoredBlob blob) throws IOException {
    byte[] content = Files.readAllBytes(blob.path());
    content[content.length / 2] ^= 0x5a;
    Files.write(blob.path(), content);
  }

  /** Records that {@code tag} of the repository resolves to {@code digest}. */
  void tag(Registry registry, RepositoryName repository, String tag, Digest digest)
      throws IOException {
    Path file =
        dir.resolve("repositories")
            .resolve(registry.host())
            .resolve(repository.value())
            .resolve("_tags")
            .resolve(tag + ".json");
    Files.createDirectories(file.getParent());
    Files.writeString(
        file,
        "{\"entries\":[{\"digest\":\""
            + digest
            + "\",\"mediaType\":\""
            + IMAGE
            + "\",\"checkedAt\":1}]}");
  }

  private void record(
      Registry registry,
      RepositoryName repository,
      StoredBlob manifest,
      String mediaType,
      long pulled,
      String rule) {
    index.putManifest(
        registry,
        repository,
        manifest.digest(),
        new ManifestRecord(mediaType, manifest.size(), pulled, rule));
  }

  static byte[] image(StoredBlob config, StoredBlob... layers) {
    StringBuilder json =
        new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + IMAGE + "\",\"config\":");
    json.append(descriptor(CONFIG, config)).append(",\"layers\":[");
    for (int i = 0; i < layers.length; i++) {
      json.append(i == 0 ? "" : ",").append(descriptor(LAYER, layers[i]));
    }
    return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  static byte[] index(StoredBlob... manifests) {
    StringBuilder json =
        new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + INDEX + "\",\"manifests\":[");
    for (int i = 0; i < manifests.length; i++) {
      json.append(i == 0 ? "" : ",").append(descriptor(IMAGE, manifests[i]));
    }
    return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String descriptor(String mediaType, StoredBlob blob) {
    return "{\"mediaType\":\""
        + mediaType
        + "\",\"digest\":\""
        + blob.digest()
        + "\",\"size\":"
        + blob.size()
        + "}";
  }

  static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }
}
