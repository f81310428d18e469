/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.prewarm;

import dev.cacheproxy.core.Digest;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;

/**
 * An anonymous upstream registry on MockWebServer serving single-platform OCI images, counting the
 * requests each path gets, with a hook called (on the server's thread) before each answer.
 */
final class PrewarmUpstream implements AutoCloseable {

  static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";

  /** An image put into the registry: the digests of its config and layers. */
  record Image(Digest manifest, List<Digest> blobs, long bytes) {}

  private final MockWebServer server = new MockWebServer();
  private final Map<String, byte[]> content = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  private volatile Consumer<String> beforeAnswer = path -> {};

  PrewarmUpstream() throws IOException {
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            return answer(request);
          }
        });
    server.start(InetAddress.getByName("127.0.0.1"), 0);
  }

  /** The source to write in a rule: {@code http://127.0.0.1:<port>/*}. */
  String source() {
    return "http://127.0.0.1:" + server.getPort() + "/*";
  }

  /** Serves an image of a config and {@code layers} random layers under {@code repository:tag}. */
  Image image(String repository, String tag, int layers, long seed) {
    Random random = new Random(seed);
    List<Digest> blobs = new ArrayList<>();
    StringBuilder json = new StringBuilder();
    byte[] config = ("{\"seed\":" + seed + "}").getBytes(StandardCharsets.UTF_8);
    Digest configDigest = blob(repository, config);
    blobs.add(configDigest);
    long bytes = config.length;
    json.append("{\"schemaVersion\":2,\"mediaType\":\"")
        .append(MANIFEST)
        .append("\",\"config\":")
        .append(descriptor("application/vnd.oci.image.config.v1+json", configDigest, config.length))
        .append(",\"layers\":[");
    for (int i = 0; i < layers; i++) {
      byte[] layer = new byte[1000 + random.nextInt(5000)];
      random.nextBytes(layer);
      Digest digest = blob(repository, layer);
      blobs.add(digest);
      bytes += layer.length;
      json.append(i == 0 ? "" : ",")
          .append(descriptor("application/vnd.oci.image.layer.v1.tar+gzip", digest, layer.length));
    }
    json.append("]}");
    byte[] manifest = json.toString().getBytes(StandardCharsets.UTF_8);
    Digest digest = Digest.sha256(manifest);
    content.put("/v2/" + repository + "/manifests/" + tag, manifest);
    content.put("/v2/" + repository + "/manifests/" + digest, manifest);
    return new Image(digest, blobs, bytes);
  }

  /** Calls {@code hook} with the path of each request before answering it. */
  void beforeAnswer(Consumer<String> hook) {
    beforeAnswer = hook;
  }

  /** How many requests {@code path} got, with any method. */
  int hits(String path) {
    AtomicInteger count = hits.get(path);
    return count == null ? 0 : count.get();
  }

  /** How many requests went to paths under {@code /v2/<repository>/}. */
  int hitsUnder(String repository) {
    String prefix = "/v2/" + repository + "/";
    return hits.entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .mapToInt(e -> e.getValue().get())
        .sum();
  }

  private Digest blob(String repository, byte[] bytes) {
    Digest digest = Digest.sha256(bytes);
    content.put("/v2/" + repository + "/blobs/" + digest, bytes);
    return digest;
  }

  private static String descriptor(String type, Digest digest, long size) {
    return "{\"mediaType\":\"" + type + "\",\"digest\":\"" + digest + "\",\"size\":" + size + "}";
  }

  private MockResponse answer(RecordedRequest request) {
    String path = request.getUrl().encodedPath();
    hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
    beforeAnswer.accept(path);
    if (path.equals("/v2/")) {
      return new MockResponse.Builder().code(200).body("{}").build();
    }
    byte[] bytes = content.get(path);
    boolean head = request.getMethod().equals("HEAD");
    if (bytes != null) {
      MockResponse.Builder response =
          new MockResponse.Builder()
              .code(200)
              .addHeader(
                  "Content-Type",
                  path.contains("/manifests/") ? MANIFEST : "application/octet-stream")
              .addHeader("Docker-Content-Digest", Digest.sha256(bytes).toString());
      return head
          ? response.setHeader("Content-Length", bytes.length).build()
          : response.body(new Buffer().write(bytes)).build();
    }
    String code = path.contains("/manifests/") ? "MANIFEST_UNKNOWN" : "BLOB_UNKNOWN";
    return new MockResponse.Builder()
        .code(404)
        .addHeader("Content-Type", "application/json")
        .body(head ? "" : "{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"not here\"}]}")
        .build();
  }

  @Override
  public void close() {
    server.close();
  }
}
