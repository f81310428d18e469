/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.testing;

import dev.cacheproxy.core.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.RecordedRequest;
import okio.BufferedSink;
import org.jspecify.annotations.Nullable;

/**
 * A scripted OCI registry for a {@code MockWebServer}: manifests by tag and digest (a {@code HEAD}
 * gets the headers without a body), blobs, tag lists, and 404 OCI error bodies, counting every
 * request by method and path. Images and multi-platform indexes are built with {@link #putImage}
 * and {@link #putIndex}. A blob body can be held after its first 64 KiB ({@link #gateBlob}) or
 * broken after some bytes ({@link #breakBlobAfter}), and every request can be failed with a status
 * and an optional {@code Retry-After} ({@link #failWith}).
 *
 * <p>Thread-safe: the server dispatches on its own threads while the test scripts it.
 */
public final class FakeRegistry extends Dispatcher {

  /** OCI image manifest. */
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

  /** OCI image index. */
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";

  /** OCI image config. */
  public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";

  /** OCI gzipped layer. */
  public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";

  /**
   * An image put into the registry.
   *
   * @param manifest the digest of its manifest
   * @param manifestSize the size of its manifest
   * @param config its config blob
   * @param layers its layer blobs, in order
   */
  public record Image(Digest manifest, long manifestSize, Blob config, List<Blob> layers) {

    /** Copies the list. */
    public Image {
      layers = List.copyOf(layers);
    }

    /** The config, then the layers. */
    public List<Blob> blobs() {
      List<Blob> all = new ArrayList<>();
      all.add(config);
      all.addAll(layers);
      return all;
    }

    /** The size of the config and the layers. */
    public long blobBytes() {
      return blobs().stream().mapToLong(Blob::size).sum();
    }
  }

  /**
   * A blob put into the registry.
   *
   * @param digest its digest
   * @param content its bytes
   */
  public record Blob(Digest digest, byte[] content) {

    /** Its size in bytes. */
    public long size() {
      return content.length;
    }
  }

  private final Map<String, byte[]> manifests = new ConcurrentHashMap<>();
  private final Map<String, String> types = new ConcurrentHashMap<>();
  private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  private final AtomicInteger failStatus = new AtomicInteger();
  private final AtomicReference<@Nullable String> lastAccept = new AtomicReference<>();

  /** Bytes after which every blob body breaks like a reset connection; -1 for never. */
  public final AtomicLong breakBlobAfter = new AtomicLong(-1);

  /** A gate every blob body waits for after its first 64 KiB; open by default. */
  public volatile CountDownLatch gateBlob = new CountDownLatch(0);

  private volatile @Nullable String failRetryAfter = "1";

  /** Adds an OCI image manifest under {@code tag} (and its digest). */
  public Digest putManifest(String repo, String tag, byte[] content) {
    return putManifest(repo, tag, OCI_MANIFEST, content);
  }

  /**
   * Adds a manifest of {@code type} under its digest and, unless null, {@code tag}.
   *
   * @return its digest
   */
  public Digest putManifest(String repo, @Nullable String tag, String type, byte[] content) {
    Digest d = Digest.sha256(content);
    if (tag != null) {
      manifests.put(repo + ":" + tag, content);
    }
    manifests.put(repo + "@" + d, content);
    types.put(d.toString(), type);
    return d;
  }

  /** Adds a blob, served under any repository; returns its digest. */
  public Digest putBlob(byte[] content) {
    Digest d = Digest.sha256(content);
    blobs.put(d.toString(), content);
    return d;
  }

  /**
   * Adds an image: its config and layer blobs and an OCI manifest listing them, under {@code tag}
   * unless null (a platform manifest of an index is reachable by digest only).
   */
  public Image putImage(String repo, @Nullable String tag, byte[] config, byte[]... layers) {
    Blob configBlob = new Blob(putBlob(config), config.clone());
    List<Blob> layerBlobs = new ArrayList<>();
    for (byte[] layer : layers) {
      layerBlobs.add(new Blob(putBlob(layer), layer.clone()));
    }
    StringBuilder json =
        new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",")
            .append("\"config\":")
            .append(descriptor(OCI_CONFIG, configBlob.digest(), configBlob.size(), ""))
            .append(",\"layers\":[");
    for (int i = 0; i < layerBlobs.size(); i++) {
      Blob layer = layerBlobs.get(i);
      json.append(i == 0 ? "" : ",")
          .append(descriptor(OCI_LAYER, layer.digest(), layer.size(), ""));
    }
    byte[] content = json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    Digest manifest = putManifest(repo, tag, OCI_MANIFEST, content);
    return new Image(manifest, content.length, configBlob, layerBlobs);
  }

  /**
   * Adds an OCI index under {@code tag} listing manifests already put into {@code repo}, by
   * platform ({@code os/architecture[/variant]}), in the map's order.
   *
   * @return the index's digest
   */
  public Digest putIndex(String repo, String tag, Map<String, Digest> platforms) {
    StringBuilder json =
        new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",")
            .append("\"manifests\":[");
    String separator = "";
    for (Map.Entry<String, Digest> entry : platforms.entrySet()) {
      byte[] child = manifests.get(repo + "@" + entry.getValue());
      if (child == null) {
        throw new IllegalArgumentException(entry.getValue() + " is not a manifest of " + repo);
      }
      String[] p = entry.getKey().split("/", -1);
      String platform =
          ",\"platform\":{\"os\":\""
              + p[0]
              + "\",\"architecture\":\""
              + p[1]
              + (p.length > 2 ? "\",\"variant\":\"" + p[2] : "")
              + "\"}";
      json.append(separator)
          .append(descriptor(OCI_MANIFEST, entry.getValue(), child.length, platform));
      separator = ",";
    }
    byte[] content = json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    return putManifest(repo, tag, OCI_INDEX, content);
  }

  /** Deletes the tag; the manifest stays reachable by digest. */
  public void deleteTag(String repo, String tag) {
    manifests.remove(repo + ":" + tag);
  }

  /** Fails every request with {@code status} and {@code Retry-After: 1}; 0 to stop failing. */
  public void failWith(int status) {
    failWith(status, "1");
  }

  /**
   * Fails every request with {@code status} and {@code retryAfter}, or no {@code Retry-After} if it
   * is null; status 0 to stop failing.
   */
  public void failWith(int status, @Nullable String retryAfter) {
    failRetryAfter = retryAfter;
    failStatus.set(status);
  }

  /** The {@code Accept} header of the last manifest request, or null before any. */
  public @Nullable String lastAccept() {
    return lastAccept.get();
  }

  /** How many {@code method} requests for {@code path} (such as {@code /v2/a/manifests/1}) came. */
  public int count(String method, String path) {
    AtomicInteger c = counts.get(method + " " + path);
    return c == null ? 0 : c.get();
  }

  /** How many {@code GET}s of a blob came, through any repository. */
  public int blobGets(Digest digest) {
    String suffix = "/blobs/" + digest;
    return counts.entrySet().stream()
        .filter(e -> e.getKey().startsWith("GET ") && e.getKey().endsWith(suffix))
        .mapToInt(e -> e.getValue().get())
        .sum();
  }

  /** How many requests came in all. */
  public int total() {
    return counts.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  /** Forgets every request counted so far. */
  public void resetCounts() {
    counts.clear();
  }

  /** Random bytes of {@code size}, the same for the same {@code seed}. */
  public static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String path = request.getUrl().encodedPath();
    counts
        .computeIfAbsent(request.getMethod() + " " + path, k -> new AtomicInteger())
        .incrementAndGet();
    int status = failStatus.get();
    if (status != 0) {
      MockResponse.Builder r = new MockResponse.Builder().code(status);
      String retryAfter = failRetryAfter;
      if (retryAfter != null) {
        r.addHeader("Retry-After", retryAfter);
      }
      return r.build();
    }
    if (path.equals("/v2/")) {
      return new MockResponse.Builder().code(200).body("{}").build();
    }
    int m = path.indexOf("/manifests/");
    if (m > 0) {
      lastAccept.set(request.getHeaders().get("Accept"));
      String repo = path.substring(4, m);
      String ref = path.substring(m + "/manifests/".length());
      byte[] content = manifests.get(repo + (ref.contains(":") ? "@" : ":") + ref);
      if (content == null) {
        return error(request, "MANIFEST_UNKNOWN");
      }
      Digest d = Digest.sha256(content);
      MockResponse.Builder r =
          new MockResponse.Builder()
              .code(200)
              .addHeader("Content-Type", types.getOrDefault(d.toString(), OCI_MANIFEST))
              .addHeader("Docker-Content-Digest", d.toString());
      if (request.getMethod().equals("HEAD")) {
        return r.addHeader("Content-Length", content.length).build();
      }
      return r.body(new okio.Buffer().write(content)).build();
    }
    int b = path.indexOf("/blobs/");
    if (b > 0) {
      String digest = path.substring(b + "/blobs/".length());
      byte[] content = blobs.get(digest);
      if (content == null) {
        return error(request, "BLOB_UNKNOWN");
      }
      MockResponse.Builder r =
          new MockResponse.Builder()
              .code(200)
              .addHeader("Content-Type", "application/octet-stream")
              .addHeader("Docker-Content-Digest", digest);
      if (request.getMethod().equals("HEAD")) {
        return r.addHeader("Content-Length", content.length).build();
      }
      return r.body(new GatedBody(content, gateBlob, breakBlobAfter.get())).build();
    }
    int t = path.indexOf("/tags/list");
    if (t > 0) {
      String repo = path.substring(4, t);
      List<String> tags =
          manifests.keySet().stream()
              .filter(k -> k.startsWith(repo + ":"))
              .map(k -> "\"" + k.substring(repo.length() + 1) + "\"")
              .sorted()
              .toList();
      return new MockResponse.Builder()
          .code(200)
          .addHeader("Content-Type", "application/json")
          .body("{\"name\":\"" + repo + "\",\"tags\":[" + String.join(",", tags) + "]}")
          .build();
    }
    return error(request, "NAME_UNKNOWN");
  }

  private static String descriptor(String type, Digest digest, long size, String extra) {
    return "{\"mediaType\":\""
        + type
        + "\",\"digest\":\""
        + digest
        + "\",\"size\":"
        + size
        + extra
        + "}";
  }

  /** A 404 OCI error; without a body for a HEAD, which must not carry one. */
  private static MockResponse error(RecordedRequest request, String code) {
    String body = "{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"not here\"}]}";
    MockResponse.Builder r =
        new MockResponse.Builder().code(404).addHeader("Content-Type", "application/json");
    if (request.getMethod().equals("HEAD")) {
      return r.addHeader("Content-Length", body.length()).build();
    }
    return r.body(body).build();
  }

  /** A body that sends its first 64 KiB, waits for a gate, then the rest, optionally breaking. */
  private record GatedBody(byte[] content, CountDownLatch gate, long breakAfter)
      implements MockResponseBody {
    @Override
    public long getContentLength() {
      return content.length;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      int first = Math.min(65536, content.length);
      if (breakAfter >= 0 && breakAfter < first) {
        sink.write(content, 0, (int) breakAfter);
        sink.flush();
        throw new IOException("upstream broke the connection");
      }
      sink.write(content, 0, first);
      sink.flush();
      try {
        if (!gate.await(30, TimeUnit.SECONDS)) {
          throw new IOException("test gate never opened");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      int end = breakAfter >= 0 ? (int) Math.min(breakAfter, content.length) : content.length;
      sink.write(content, first, end - first);
      sink.flush();
      if (end < content.length) {
        throw new IOException("upstream broke the connection");
      }
    }
  }
}
