/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server;

import dev.cacheproxy.core.Digest;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okio.Buffer;

/**
 * An upstream registry on MockWebServer (127.0.0.1) serving a few manifests, blobs and tags
 * anonymously, counting the requests each path gets.
 */
final class FakeRegistry implements AutoCloseable {

  static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";

  private final MockWebServer server = new MockWebServer();
  private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
  private final Map<String, byte[]> brokenBlobs = new ConcurrentHashMap<>();
  private final Map<String, byte[]> manifests = new ConcurrentHashMap<>();
  private final Map<String, List<String>> tags = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();

  FakeRegistry() throws IOException {
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

  /** Serves a blob and returns its digest. */
  Digest blob(String repository, byte[] content) {
    Digest digest = Digest.sha256(content);
    blobs.put("/v2/" + repository + "/blobs/" + digest, content);
    return digest;
  }

  /** Serves a blob whose transfer breaks off halfway, and returns its digest. */
  Digest brokenBlob(String repository, byte[] content) {
    Digest digest = Digest.sha256(content);
    brokenBlobs.put("/v2/" + repository + "/blobs/" + digest, content);
    return digest;
  }

  /** Serves a manifest under a tag and its digest, and returns the digest. */
  Digest manifest(String repository, String tag, String json) {
    byte[] content = json.getBytes(StandardCharsets.UTF_8);
    Digest digest = Digest.sha256(content);
    manifests.put("/v2/" + repository + "/manifests/" + tag, content);
    manifests.put("/v2/" + repository + "/manifests/" + digest, content);
    return digest;
  }

  /** Serves a tag list. */
  void tags(String repository, List<String> list) {
    tags.put("/v2/" + repository + "/tags/list", list);
  }

  /** How many requests {@code path} got, with any method. */
  int hits(String path) {
    AtomicInteger count = hits.get(path);
    return count == null ? 0 : count.get();
  }

  private MockResponse answer(RecordedRequest request) {
    String path = request.getUrl().encodedPath();
    hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
    boolean head = request.getMethod().equals("HEAD");
    if (path.equals("/v2/")) {
      return new MockResponse.Builder()
          .code(200)
          .addHeader("Content-Type", "application/json")
          .body("{}")
          .build();
    }
    byte[] manifest = manifests.get(path);
    if (manifest != null) {
      return content(manifest, MANIFEST_TYPE, head).build();
    }
    byte[] blob = blobs.get(path);
    if (blob != null) {
      return content(blob, "application/octet-stream", head).build();
    }
    byte[] broken = brokenBlobs.get(path);
    if (broken != null) {
      return content(broken, "application/octet-stream", head)
          .throttleBody(64 * 1024, 10, java.util.concurrent.TimeUnit.MILLISECONDS)
          .onResponseBody(SocketEffect.ShutdownConnection.INSTANCE)
          .build();
    }
    List<String> list = tags.get(path);
    if (list != null) {
      String json =
          "{\"name\":\""
              + path.substring(4, path.length() - "/tags/list".length())
              + "\",\"tags\":["
              + String.join(",", list.stream().map(t -> "\"" + t + "\"").toList())
              + "]}";
      return new MockResponse.Builder()
          .code(200)
          .addHeader("Content-Type", "application/json")
          .body(json)
          .build();
    }
    String code =
        path.contains("/manifests/")
            ? "MANIFEST_UNKNOWN"
            : path.contains("/blobs/") ? "BLOB_UNKNOWN" : "NAME_UNKNOWN";
    return new MockResponse.Builder()
        .code(404)
        .addHeader("Content-Type", "application/json")
        .body(head ? "" : "{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"not here\"}]}")
        .build();
  }

  private static MockResponse.Builder content(byte[] content, String type, boolean head) {
    MockResponse.Builder response =
        new MockResponse.Builder()
            .code(200)
            .addHeader("Content-Type", type)
            .addHeader("Docker-Content-Digest", Digest.sha256(content).toString());
    if (head) {
      return response.setHeader("Content-Length", content.length);
    }
    return response.body(new Buffer().write(content));
  }

  @Override
  public void close() {
    server.close();
  }
}
