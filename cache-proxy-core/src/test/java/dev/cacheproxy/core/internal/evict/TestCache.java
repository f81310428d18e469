/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.evict;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.internal.manifest.ManifestReferences;
import dev.cacheproxy.core.internal.manifest.RepositoryIndex;
import dev.cacheproxy.core.internal.manifest.RepositoryIndex.ManifestRecord;
import dev.cacheproxy.core.internal.store.FileSystemBlobStore;
import dev.cacheproxy.core.spi.BlobWriter;
import dev.cacheproxy.core.storage.StorageSettings;
import dev.cacheproxy.core.testing.TestClock;
import dev.cacheproxy.rules.Registry;
import dev.cacheproxy.rules.RepositoryName;
import dev.cacheproxy.rules.Retention;
import dev.cacheproxy.rules.Rule;
import dev.cacheproxy.rules.RulePolicy;
import dev.cacheproxy.rules.RuleSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * A cache's storage without the HTTP side: a real {@link FileSystemBlobStore} and {@link
 * RepositoryIndex} in a folder, a ledger recovered from them, and helpers that cache images the way
 * the manifest resolver and the blob fetcher do. Rules: {@code plain} (no retention), {@code keep}
 * (keepFor 1 h) and {@code pin} (pinned).
 */
final class TestCache {

  static final String HOST = "registry.test";
  static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  static final RuleSet RULES =
      RuleSet.of(
          List.of(
              rule("plain", Retention.NONE),
              rule("keep", new Retention(Duration.ofHours(1), false)),
              rule("pin", new Retention(null, true))));

  /** A cached image (or index): its manifest digest and the blobs only it was given. */
  record Image(RepositoryName repository, Digest manifest, List<Digest> blobs) {}

  final Path dir;
  final TestClock clock;
  final FileSystemBlobStore raw;
  final RepositoryIndex index;
  final CacheLedger ledger;
  final TrackingBlobStore store;
  private final Random random = new Random(42);

  TestCache(Path dir, TestClock clock, boolean accessTracking) {
    this.dir = dir;
    this.clock = clock;
    this.raw = new FileSystemBlobStore(dir.resolve("blobs"));
    this.index = new RepositoryIndex(dir.resolve("repositories"));
    this.ledger = CacheLedger.recover(raw, index, clock, accessTracking);
    this.store = new TrackingBlobStore(ledger, () -> {});
  }

  /** An evictor (not started) with this size limit, no free-space floor and the test rules. */
  Evictor evictor(long maxSize) {
    return new Evictor(ledger, index, settings(maxSize), () -> RULES, clock);
  }

  static StorageSettings settings(long maxSize) {
    return StorageSettings.DEFAULTS.withMaxSize(maxSize).withMinFreeSpace(0);
  }

  /** A size limit whose low watermark is {@code low}. */
  static long maxSizeForLow(long low) {
    return (long) Math.ceil(low / 0.8) + 1;
  }

  /** Stores random bytes through the tracking store. */
  Digest blob(int size) {
    byte[] content = new byte[size];
    random.nextBytes(content);
    return put(content);
  }

  Digest put(byte[] content) {
    Digest digest = Digest.sha256(content);
    try (BlobWriter writer = store.create(digest)) {
      writer.write(ByteBuffer.wrap(content));
      writer.commit(content.length);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return digest;
  }

  /** Caches an image with a fresh config and layers of these sizes, pulled now through rule. */
  Image image(String repository, String rule, int... layerSizes) {
    List<Digest> layers = new ArrayList<>();
    for (int size : layerSizes) {
      layers.add(blob(size));
    }
    return imageOf(repository, rule, layers);
  }

  /** Caches an image with a fresh config and these (stored) layers, pulled now through rule. */
  Image imageOf(String repository, String rule, List<Digest> layers) {
    Digest config = blob(100);
    String json =
        "{\"schemaVersion\":2,\"mediaType\":\""
            + OCI_MANIFEST
            + "\",\"config\":{\"digest\":\""
            + config
            + "\"},\"layers\":["
            + layers.stream()
                .map(d -> "{\"digest\":\"" + d + "\"}")
                .collect(Collectors.joining(","))
            + "]}";
    Digest manifest = record(repository, rule, OCI_MANIFEST, json);
    List<Digest> blobs = new ArrayList<>(layers);
    blobs.add(config);
    blobs.add(manifest);
    return new Image(RepositoryName.of(repository), manifest, blobs);
  }

  /** Caches an index of these (recorded) children, pulled now through rule. */
  Image index(String repository, String rule, Image... children) {
    StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"manifests\":[");
    List<Digest> blobs = new ArrayList<>();
    for (int i = 0; i < children.length; i++) {
      json.append(i == 0 ? "" : ",").append("{\"digest\":\"").append(children[i].manifest());
      json.append("\",\"platform\":{\"architecture\":\"a").append(i).append("\"}}");
      blobs.addAll(children[i].blobs());
    }
    json.append("]}");
    Digest manifest = record(repository, rule, OCI_INDEX, json.toString());
    blobs.add(manifest);
    return new Image(RepositoryName.of(repository), manifest, blobs);
  }

  /** Stores a manifest and records it as the resolver does. */
  Digest record(String repository, String rule, String mediaType, String json) {
    byte[] content = json.getBytes(StandardCharsets.UTF_8);
    RepositoryName name = RepositoryName.of(repository);
    Digest digest = put(content);
    ManifestRecord record =
        ledger.recordToSave(HOST, name, digest, mediaType, content.length, rule, clock.millis());
    index.putManifest(Registry.of(HOST), name, digest, record);
    ledger.saved(HOST, name, digest, record, ManifestReferences.parse(content));
    return digest;
  }

  /** A client pulls the image's manifest now, through rule. */
  void pull(Image image, String rule) {
    ledger.pulled(HOST, image.repository(), image.manifest(), rule);
  }

  /** Whether the image's record and every one of its blobs are still there. */
  boolean cached(Image image) {
    return recorded(image) && image.blobs().stream().allMatch(this::stored);
  }

  boolean recorded(Image image) {
    return index.manifest(Registry.of(HOST), image.repository(), image.manifest()).isPresent();
  }

  boolean stored(Digest digest) {
    try {
      return raw.get(digest).isPresent();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Rule rule(String name, Retention retention) {
    Rule plain = Rule.of(name, name + "/*", HOST + "/" + name + "/*");
    return new Rule(
        name,
        plain.target(),
        plain.source(),
        null,
        plain.tagFreshness(),
        RulePolicy.DEFAULT.withRetention(retention));
  }
}
