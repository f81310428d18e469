/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cacheproxy.core.storage.ProgressListener;
import dev.cacheproxy.rules.RepositoryName;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Pre-warms the cache with an image, so that a later pull needs no upstream: resolves the tag (or
 * digest), and for an index the platform manifests asked for (all of them when no platform is
 * given), then makes sure each config and layer is cached, fetching the missing ones through the
 * proxy as a client would (single-flight with any client pulling the same blobs at the same time).
 *
 * <p>Platforms are written {@code os/architecture[/variant]}, as in {@code linux/amd64} or {@code
 * linux/arm64/v8}; {@code linux/arm64} matches every arm64 variant. Thread-safe: each call works on
 * its own; run long warms on a background thread.
 */
public final class ImageWarmer {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] SINK = new byte[64 * 1024];

  private final CacheProxy proxy;
  private final Clock clock;

  /** A warmer pulling through {@code proxy}. */
  public ImageWarmer(CacheProxy proxy) {
    this(proxy, Clock.systemUTC());
  }

  /** A warmer that times its runs with {@code clock}. */
  public ImageWarmer(CacheProxy proxy, Clock clock) {
    this.proxy = proxy;
    this.clock = clock;
  }

  /**
   * Warms {@code repository:reference}.
   *
   * @param platforms the platforms to warm from an index ({@code linux/amd64}); empty for all
   * @param progress told after each blob: blobs and bytes done and in all
   * @throws ProxyException as a pull would fail (unknown tag, upstream down, denied), or
   *     MANIFEST_UNKNOWN when an index lists none of the platforms asked for
   * @throws IllegalArgumentException for a platform that is not {@code os/arch[/variant]}
   */
  public WarmReport warm(
      RepositoryName repository,
      Reference reference,
      List<String> platforms,
      ProgressListener progress) {
    List<Platform> wanted = platforms.stream().map(Platform::parse).toList();
    long start = clock.millis();
    Manifest root = proxy.manifest(repository, reference, List.of()).manifest();
    List<Digest> manifests = new ArrayList<>(List.of(root.digest()));
    Map<Digest, Long> blobs = new LinkedHashMap<>();
    JsonNode rootJson = parse(root);
    JsonNode children = rootJson.get("manifests");
    if (children != null && children.isArray()) {
      boolean any = false;
      for (JsonNode child : children) {
        if (!matches(child.get("platform"), wanted)) {
          continue;
        }
        Digest digest = Digest.parse(child.path("digest").asText(""));
        Manifest platform = proxy.manifest(repository, digest, List.of()).manifest();
        manifests.add(platform.digest());
        addBlobs(parse(platform), blobs);
        any = true;
      }
      if (!any) {
        throw new NotFoundException(
            OciErrorCode.MANIFEST_UNKNOWN,
            repository
                + ":"
                + reference
                + " lists no manifest for "
                + String.join(", ", platforms));
      }
    } else {
      addBlobs(rootJson, blobs);
    }
    long total = blobs.values().stream().mapToLong(Long::longValue).sum();
    long done = 0;
    int fetched = 0;
    long fetchedBytes = 0;
    int count = 0;
    progress.progress(0, blobs.size(), 0, total);
    for (Map.Entry<Digest, Long> blob : blobs.entrySet()) {
      long size = ensureCached(repository, blob.getKey());
      if (size >= 0) {
        fetched++;
        fetchedBytes += size;
      }
      count++;
      done += blob.getValue();
      progress.progress(count, blobs.size(), done, total);
    }
    return new WarmReport(
        repository,
        reference,
        manifests,
        blobs.size(),
        fetched,
        total,
        fetchedBytes,
        Duration.ofMillis(clock.millis() - start));
  }

  /** Makes sure a blob is cached; returns the bytes fetched, or -1 if it was cached already. */
  private long ensureCached(RepositoryName repository, Digest digest) {
    try (BlobStream blob = proxy.blob(repository, digest)) {
      if (blob.status() == CacheStatus.HIT) {
        return -1;
      }
      long n = 0;
      try (InputStream in = blob.open(0)) {
        for (int r; (r = in.read(SINK)) != -1; ) {
          n += r;
        }
      }
      return n;
    } catch (IOException e) {
      throw new UncheckedIOException("warming " + repository + "@" + digest + ": " + e, e);
    }
  }

  private static JsonNode parse(Manifest manifest) {
    try {
      JsonNode node = JSON.readTree(manifest.content());
      if (node == null || !node.isObject()) {
        throw new IOException("not a JSON object");
      }
      return node;
    } catch (IOException e) {
      throw new ProxyException(
          OciErrorCode.MANIFEST_INVALID,
          "manifest " + manifest.digest() + " is not JSON the warmer can read: " + e.getMessage());
    }
  }

  private static void addBlobs(JsonNode manifest, Map<Digest, Long> into) {
    Set<JsonNode> descriptors = new LinkedHashSet<>();
    if (manifest.get("config") != null) {
      descriptors.add(manifest.get("config"));
    }
    for (String field : List.of("layers", "blobs")) {
      JsonNode list = manifest.get(field);
      if (list != null && list.isArray()) {
        list.forEach(descriptors::add);
      }
    }
    for (JsonNode d : descriptors) {
      String digest = d.path("digest").asText("");
      if (!digest.isEmpty()) {
        into.putIfAbsent(Digest.parse(digest), Math.max(0, d.path("size").asLong(0)));
      }
    }
  }

  private static boolean matches(JsonNode platform, List<Platform> wanted) {
    if (wanted.isEmpty()) {
      return true;
    }
    if (platform == null || !platform.isObject()) {
      return false;
    }
    String os = platform.path("os").asText("");
    String arch = platform.path("architecture").asText("");
    String variant = platform.path("variant").asText("");
    return wanted.stream().anyMatch(p -> p.matches(os, arch, variant));
  }

  /** A platform as {@code os/architecture[/variant]}. */
  private record Platform(String os, String architecture, String variant) {
    static Platform parse(String text) {
      String[] parts = text.trim().toLowerCase(Locale.ROOT).split("/", -1);
      if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
        throw new IllegalArgumentException(
            "platform '" + text + "' is not os/architecture[/variant], such as linux/amd64");
      }
      return new Platform(parts[0], parts[1], parts.length == 3 ? parts[2] : "");
    }

    boolean matches(String os, String architecture, String variant) {
      return this.os.equals(os)
          && this.architecture.equals(architecture)
          && (this.variant.isEmpty() || this.variant.equals(variant));
    }
  }
}
