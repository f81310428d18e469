/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Generates images of random layers and pushes them to a registry with the distribution API: each
 * layer is streamed as it is generated (a chunked {@code PATCH}, hashed on the way), so a 512 MiB
 * layer never sits in memory or on a second disk. Random bytes do not compress, so no system gains
 * from compression, and every run has new digests (nothing is cached from an earlier run).
 */
final class Images {

  /** A pushed image: its repository and tag, manifest digest and blobs (config first). */
  record Image(String repository, String tag, String manifestDigest, List<Blob> blobs) {
    Image {
      blobs = List.copyOf(blobs);
    }

    /** The blobs that are layers (all but the config). */
    List<Blob> layers() {
      return blobs.subList(1, blobs.size());
    }

    /** The largest layer. */
    Blob largestLayer() {
      return layers().stream().max((a, b) -> Long.compare(a.size(), b.size())).orElseThrow();
    }

    /** The sum of the blob sizes. */
    long bytes() {
      return blobs.stream().mapToLong(Blob::size).sum();
    }
  }

  /** One blob: its digest ({@code sha256:<hex>}) and size. */
  record Blob(String digest, long size) {}

  private static final String LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar";
  private static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
  private final String registry;
  private final SplittableRandom random;

  /**
   * Pushes to the registry at {@code http://127.0.0.1:port}, with layer bytes from a seeded PRNG
   * (the seed should differ per run, so digests do too).
   */
  Images(int port, long seed) {
    this.registry = "http://127.0.0.1:" + port;
    this.random = new SplittableRandom(seed);
  }

  /** Pushes {@code repository:tag} made of a small config and one random layer per size. */
  Image push(String repository, String tag, List<Long> layerSizes)
      throws IOException, InterruptedException {
    List<Blob> layers = new ArrayList<>();
    for (long size : layerSizes) {
      layers.add(pushRandomBlob(repository, size));
    }
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("architecture", "amd64");
    config.put("os", "linux");
    config.put("config", Map.of());
    config.put(
        "rootfs", Map.of("type", "layers", "diff_ids", layers.stream().map(Blob::digest).toList()));
    byte[] configBytes = JSON.writeValueAsBytes(config);
    Blob configBlob = pushBytes(repository, configBytes);

    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", MANIFEST_TYPE);
    manifest.put("config", descriptor("application/vnd.oci.image.config.v1+json", configBlob));
    manifest.put("layers", layers.stream().map(l -> descriptor(LAYER_TYPE, l)).toList());
    byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
    HttpResponse<String> put =
        http.send(
            HttpRequest.newBuilder(URI.create(registry + "/v2/" + repository + "/manifests/" + tag))
                .header("Content-Type", MANIFEST_TYPE)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifestBytes))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    expect(put, 201, "manifest " + repository + ":" + tag);
    List<Blob> blobs = new ArrayList<>();
    blobs.add(configBlob);
    blobs.addAll(layers);
    return new Image(repository, tag, "sha256:" + sha256(manifestBytes), blobs);
  }

  private static Map<String, Object> descriptor(String mediaType, Blob blob) {
    return Map.of("mediaType", mediaType, "digest", blob.digest(), "size", blob.size());
  }

  private Blob pushBytes(String repository, byte[] bytes) throws IOException, InterruptedException {
    String digest = "sha256:" + sha256(bytes);
    String location = startUpload(repository);
    HttpResponse<String> put =
        http.send(
            HttpRequest.newBuilder(withDigest(location, digest))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    expect(put, 201, "blob " + digest);
    return new Blob(digest, bytes.length);
  }

  private Blob pushRandomBlob(String repository, long size)
      throws IOException, InterruptedException {
    MessageDigest sha256 = newSha256();
    RandomStream body = new RandomStream(random.split(), size, sha256);
    HttpResponse<String> patch =
        http.send(
            HttpRequest.newBuilder(URI.create(startUpload(repository)))
                .header("Content-Type", "application/octet-stream")
                .method("PATCH", HttpRequest.BodyPublishers.ofInputStream(() -> body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    expect(patch, 202, "layer upload of " + size + " bytes");
    String digest = "sha256:" + HexFormat.of().formatHex(sha256.digest());
    String location = resolve(patch.headers().firstValue("Location").orElseThrow());
    HttpResponse<String> put =
        http.send(
            HttpRequest.newBuilder(withDigest(location, digest))
                .PUT(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    expect(put, 201, "layer " + digest);
    return new Blob(digest, size);
  }

  private String startUpload(String repository) throws IOException, InterruptedException {
    HttpResponse<String> post =
        http.send(
            HttpRequest.newBuilder(URI.create(registry + "/v2/" + repository + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    expect(post, 202, "upload to " + repository);
    return resolve(post.headers().firstValue("Location").orElseThrow());
  }

  private String resolve(String location) {
    return location.startsWith("/") ? registry + location : location;
  }

  private static URI withDigest(String location, String digest) {
    return URI.create(location + (location.contains("?") ? "&" : "?") + "digest=" + digest);
  }

  private static void expect(HttpResponse<String> response, int status, String what)
      throws IOException {
    if (response.statusCode() != status) {
      throw new IOException(
          "pushing "
              + what
              + ": the registry answered "
              + response.statusCode()
              + " "
              + response.body());
    }
  }

  static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(newSha256().digest(bytes));
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** {@code size} pseudo-random bytes, hashed as they are read. */
  private static final class RandomStream extends InputStream {
    private final SplittableRandom random;
    private final MessageDigest sha256;
    private long left;

    RandomStream(SplittableRandom random, long size, MessageDigest sha256) {
      this.random = random;
      this.left = size;
      this.sha256 = sha256;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (left == 0) {
        return -1;
      }
      int n = (int) Math.min(len & ~7, left);
      if (n == 0) {
        n = (int) Math.min(len, left);
      }
      for (int i = 0; i < n; i += 8) {
        long v = random.nextLong();
        for (int j = 0; j < 8 && i + j < n; j++) {
          b[off + i + j] = (byte) (v >>> (8 * j));
        }
      }
      sha256.update(b, off, n);
      left -= n;
      return n;
    }
  }
}
