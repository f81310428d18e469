/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;

/**
 * The image pull of {@link HttpLoad#pullImage}: concurrent clients that each fetch a manifest and
 * then its config and layers, checking every blob's SHA-256 digest and size.
 *
 * <p>Concurrency: each client is a platform thread with its own connection and fields, read by the
 * calling thread after {@link Thread#join()}; the clients start together behind one latch.
 */
final class ImagePull {
  private static final Map<String, String> ACCEPT =
      Map.of(
          "Accept",
          "application/vnd.oci.image.manifest.v1+json,"
              + " application/vnd.docker.distribution.manifest.v2+json");
  private static final int MAX_MANIFEST_BYTES = 4 << 20;
  private static final String SHA256_PREFIX = "sha256:";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A blob named by a manifest: its digest and size. */
  record Blob(String digest, long size) {}

  private ImagePull() {}

  /** Pulls {@code repository:tag} with {@code clients} clients at once; see {@link HttpLoad}. */
  static HttpLoad.Pull run(int port, String repository, String tag, int clients)
      throws InterruptedException {
    CountDownLatch start = new CountDownLatch(1);
    List<Client> pullers = new ArrayList<>(clients);
    List<Thread> threads = new ArrayList<>(clients);
    for (int i = 0; i < clients; i++) {
      Client client = new Client(i, port, repository, tag, start);
      pullers.add(client);
      threads.add(Thread.ofPlatform().name("pull-client-" + i).daemon().start(client));
    }
    long begin = System.nanoTime();
    start.countDown();
    try {
      for (Thread thread : threads) {
        thread.join();
      }
    } catch (InterruptedException e) {
      pullers.forEach(client -> client.http.close());
      throw e;
    }
    long end = begin;
    long bytes = 0;
    int blobs = 0;
    List<String> failures = new ArrayList<>();
    for (Client client : pullers) {
      end = Math.max(end, client.endNanos);
      bytes += client.bytes;
      blobs = Math.max(blobs, client.blobs);
      if (client.failure != null) {
        failures.add(client.failure);
      }
    }
    return new HttpLoad.Pull((end - begin) / 1e9, clients, bytes, blobs, failures);
  }

  /** One pulling client. */
  private static final class Client implements Runnable {
    private final int index;
    private final String repository;
    private final String tag;
    private final CountDownLatch start;
    private final RawHttpClient http;
    long bytes;
    int blobs;
    long endNanos;
    @Nullable String failure;

    Client(int index, int port, String repository, String tag, CountDownLatch start) {
      this.index = index;
      this.repository = repository;
      this.tag = tag;
      this.start = start;
      this.http = new RawHttpClient(port);
    }

    @Override
    public void run() {
      try (http) {
        start.await();
        List<Blob> manifestBlobs = manifestBlobs(manifest(tag));
        blobs = manifestBlobs.size();
        for (Blob blob : manifestBlobs) {
          fetch(blob);
        }
      } catch (IOException | RuntimeException e) {
        failure = "client " + index + ": " + e.getMessage();
      } catch (InterruptedException e) {
        failure = "client " + index + ": interrupted";
        Thread.currentThread().interrupt();
      } finally {
        endNanos = System.nanoTime();
      }
    }

    /** Fetches the image manifest of {@code reference}, choosing linux/amd64 from an index. */
    private JsonNode manifest(String reference) throws IOException {
      JsonNode root = JSON.readTree(get("/v2/" + repository + "/manifests/" + reference));
      JsonNode manifests = root.path("manifests");
      if (!manifests.isArray() || manifests.isEmpty()) {
        return root;
      }
      JsonNode chosen = manifests.get(0);
      for (JsonNode entry : manifests) {
        JsonNode platform = entry.path("platform");
        if (platform.path("os").asText().equals("linux")
            && platform.path("architecture").asText().equals("amd64")) {
          chosen = entry;
          break;
        }
      }
      return JSON.readTree(get("/v2/" + repository + "/manifests/" + text(chosen, "digest")));
    }

    private byte[] get(String path) throws IOException {
      byte[][] body = {new byte[16 * 1024]};
      int[] size = {0};
      int status =
          http.get(
              path,
              ACCEPT,
              (buffer, offset, length) -> {
                if (size[0] + length > MAX_MANIFEST_BYTES) {
                  return false;
                }
                if (size[0] + length > body[0].length) {
                  body[0] = Arrays.copyOf(body[0], Math.max(body[0].length * 2, size[0] + length));
                }
                System.arraycopy(buffer, offset, body[0], size[0], length);
                size[0] += length;
                return true;
              });
      if (status < 0) {
        throw new IOException("GET " + path + ": manifest larger than 4 MiB");
      }
      checkStatus(status, path);
      return Arrays.copyOf(body[0], size[0]);
    }

    private void fetch(Blob blob) throws IOException {
      String path = "/v2/" + repository + "/blobs/" + blob.digest();
      MessageDigest sha256 = HttpLoad.sha256();
      long[] size = {0};
      int status =
          http.get(
              path,
              Map.of(),
              (buffer, offset, length) -> {
                sha256.update(buffer, offset, length);
                size[0] += length;
                bytes += length;
                return true;
              });
      checkStatus(status, path);
      String actual = SHA256_PREFIX + HexFormat.of().formatHex(sha256.digest());
      if (!actual.equals(blob.digest()) || size[0] != blob.size()) {
        throw new IOException(
            "GET "
                + path
                + ": got "
                + size[0]
                + " bytes with digest "
                + actual
                + ", expected "
                + blob.size());
      }
    }

    private static void checkStatus(int status, String path) throws IOException {
      if (status < 200 || status >= 300) {
        throw new IOException("GET " + path + " returned status " + status);
      }
    }
  }

  /** Returns the config and the layers of an image manifest, in order. */
  static List<Blob> manifestBlobs(JsonNode manifest) throws IOException {
    List<Blob> blobs = new ArrayList<>();
    blobs.add(blob(manifest.path("config")));
    for (JsonNode layer : manifest.path("layers")) {
      blobs.add(blob(layer));
    }
    return blobs;
  }

  private static Blob blob(JsonNode descriptor) throws IOException {
    String digest = text(descriptor, "digest");
    if (!digest.startsWith(SHA256_PREFIX)) {
      throw new IOException("unsupported digest algorithm: " + digest);
    }
    JsonNode size = descriptor.path("size");
    if (!size.canConvertToLong() || size.asLong() < 0) {
      throw new IOException("manifest descriptor without a valid size: " + descriptor);
    }
    return new Blob(digest, size.asLong());
  }

  private static String text(JsonNode node, String field) throws IOException {
    JsonNode value = node.path(field);
    if (!value.isTextual()) {
      throw new IOException("manifest descriptor without a " + field + ": " + node);
    }
    return value.asText();
  }
}
