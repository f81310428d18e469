/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.cli;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.internal.manifest.RepositoryIndex;
import dev.cacheproxy.core.internal.manifest.RepositoryIndex.ManifestRecord;
import dev.cacheproxy.core.internal.store.FileSystemBlobStore;
import dev.cacheproxy.core.spi.BlobWriter;
import dev.cacheproxy.core.spi.StoredBlob;
import dev.cacheproxy.rules.Registry;
import dev.cacheproxy.rules.RepositoryName;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * A small data directory written through the real store and index, and a way to run {@code
 * cache-proxy} subcommands on it with captured output. {@code docker.io/library/app} has one image
 * (config 1000 B, shared layer 3 KiB, own layer 2 MiB); {@code ghcr.io/acme/tool} one image (config
 * 500 B, the shared layer); one orphan blob of 1 MiB.
 */
final class ToolsFixture {

  static final String IMAGE = "application/vnd.oci.image.manifest.v1+json";

  final Path dir;
  final StoredBlob sharedLayer;
  final StoredBlob appLayer;
  final StoredBlob appManifest;
  final StoredBlob toolManifest;
  final StoredBlob orphan;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();
  private final FileSystemBlobStore store;

  ToolsFixture(Path dir) throws IOException {
    this.dir = dir;
    store = new FileSystemBlobStore(dir.resolve("blobs"));
    RepositoryIndex index = new RepositoryIndex(dir.resolve("repositories"));
    sharedLayer = put(bytes(3 * 1024, 1));
    StoredBlob appConfig = put(bytes(1000, 2));
    appLayer = put(bytes(2 * 1024 * 1024, 3));
    appManifest = put(image(appConfig, sharedLayer, appLayer));
    StoredBlob toolConfig = put(bytes(500, 4));
    toolManifest = put(image(toolConfig, sharedLayer));
    orphan = put(bytes(1024 * 1024, 5));
    index.putManifest(
        Registry.of("docker.io"),
        RepositoryName.of("library/app"),
        appManifest.digest(),
        new ManifestRecord(IMAGE, appManifest.size(), 1_767_225_600_000L, "hub"));
    index.putManifest(
        Registry.of("ghcr.io"),
        RepositoryName.of("acme/tool"),
        toolManifest.digest(),
        new ManifestRecord(IMAGE, toolManifest.size()));
  }

  /** Runs {@code cache-proxy args...}; returns the exit code, with the output in out and err. */
  int run(String... args) {
    return ServeCommand.commandLine(
            new ServeCommand(running -> {
              throw new AssertionError("the server must not start");
            }),
            new PrintWriter(out, true),
            new PrintWriter(err, true))
        .execute(args);
  }

  /** The standard output, with {@code \n} line breaks. */
  String out() {
    return out.toString().replace(System.lineSeparator(), "\n");
  }

  /** The standard error, with {@code \n} line breaks. */
  String err() {
    return err.toString().replace(System.lineSeparator(), "\n");
  }

  /** Overwrites a stored blob with other bytes of the same length. */
  static void corrupt(StoredBlob blob) throws IOException {
    byte[] content = Files.readAllBytes(blob.path());
    content[content.length / 2] ^= 0x5a;
    Files.write(blob.path(), content);
  }

  private StoredBlob put(byte[] content) throws IOException {
    try (BlobWriter writer = store.create(Digest.sha256(content))) {
      writer.write(ByteBuffer.wrap(content));
      return writer.commit(content.length);
    }
  }

  private static byte[] image(StoredBlob config, StoredBlob... layers) {
    StringBuilder json =
        new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + IMAGE + "\",\"config\":");
    json.append(descriptor(config)).append(",\"layers\":[");
    for (int i = 0; i < layers.length; i++) {
      json.append(i == 0 ? "" : ",").append(descriptor(layers[i]));
    }
    return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String descriptor(StoredBlob blob) {
    return "{\"mediaType\":\"application/octet-stream\",\"digest\":\""
        + blob.digest()
        + "\",\"size\":"
        + blob.size()
        + "}";
  }

  private static byte[] bytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }
}
