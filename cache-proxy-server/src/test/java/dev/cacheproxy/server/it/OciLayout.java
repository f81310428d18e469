/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cacheproxy.core.Digest;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes an OCI image layout folder ({@code oci-layout}, {@code index.json}, {@code
 * blobs/sha256/<hex>}) that skopeo can push with {@code oci:<dir>:<tag>}.
 *
 * <p>Blobs are hashed while they are written, so a large layer never sits in memory.
 */
final class OciLayout {

  static final String INDEX = "application/vnd.oci.image.index.v1+json";
  static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  static final String CONFIG = "application/vnd.oci.image.config.v1+json";
  static final String LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final Path blobs;

  /**
   * A content descriptor, as in manifests.
   *
   * @param mediaType the media type
   * @param digest the digest of the bytes
   * @param size the number of bytes
   */
  record Descriptor(String mediaType, Digest digest, long size) {

    /** This descriptor as a JSON object, plus {@code extra} fields such as a platform. */
    Map<String, Object> toJson(Map<String, Object> extra) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("mediaType", mediaType);
      json.put("digest", digest.toString());
      json.put("size", size);
      json.putAll(extra);
      return json;
    }
  }

  private OciLayout(Path dir) {
    this.dir = dir;
    this.blobs = dir.resolve("blobs").resolve("sha256");
  }

  /** Creates an empty layout in {@code dir}. */
  static OciLayout create(Path dir) throws IOException {
    OciLayout layout = new OciLayout(dir);
    Files.createDirectories(layout.blobs);
    Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    return layout;
  }

  /** The layout folder. */
  Path dir() {
    return dir;
  }

  /** Writes {@code bytes} as a blob. */
  Descriptor writeBlob(String mediaType, byte[] bytes) throws IOException {
    try (BlobOutput out = openBlob(mediaType)) {
      out.write(bytes);
      return out.commit();
    }
  }

  /** Writes {@code json} (serialized in map order) as a blob. */
  Descriptor writeJson(String mediaType, Map<String, Object> json) throws IOException {
    return writeBlob(mediaType, JSON.writeValueAsBytes(json));
  }

  /** Opens a blob to stream into; {@link BlobOutput#commit()} names it by its digest. */
  BlobOutput openBlob(String mediaType) throws IOException {
    return new BlobOutput(mediaType, Files.createTempFile(blobs, "writing-", ".tmp"));
  }

  /** Writes {@code index.json}, naming each descriptor's image {@code tag} as given. */
  void writeIndex(Map<String, Descriptor> byTag) throws IOException {
    List<Map<String, Object>> manifests =
        byTag.entrySet().stream()
            .map(e ->
                e.getValue()
                    .toJson(
                        Map.of(
                            "annotations",
                            Map.of("org.opencontainers.image.ref.name", e.getKey()))))
            .toList();
    Map<String, Object> index = new LinkedHashMap<>();
    index.put("schemaVersion", 2);
    index.put("mediaType", INDEX);
    index.put("manifests", manifests);
    Files.write(dir.resolve("index.json"), JSON.writeValueAsBytes(index));
  }

  /** A blob being written: hashes and counts bytes, then moves into place on commit. */
  final class BlobOutput extends FilterOutputStream {
    private final String mediaType;
    private final Path temp;
    private final MessageDigest sha256;
    private long size;
    private boolean committed;

    private BlobOutput(String mediaType, Path temp) throws IOException {
      super(new BufferedOutputStream(Files.newOutputStream(temp), 1 << 20));
      this.mediaType = mediaType;
      this.temp = temp;
      try {
        this.sha256 = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("the JDK lacks SHA-256", e);
      }
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      sha256.update((byte) b);
      size++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      sha256.update(b, off, len);
      size += len;
    }

    /** The bytes written so far. */
    long size() {
      return size;
    }

    /** Closes the file and moves it to {@code blobs/sha256/<hex>}. */
    Descriptor commit() throws IOException {
      out.close();
      Digest digest = new Digest("sha256", HexFormat.of().formatHex(sha256.digest()));
      Files.move(
          temp,
          blobs.resolve(digest.hex()),
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      committed = true;
      return new Descriptor(mediaType, digest, size);
    }

    /** Closes the file; deletes it unless committed. */
    @Override
    public void close() throws IOException {
      try {
        out.close();
      } finally {
        if (!committed) {
          Files.deleteIfExists(temp);
        }
      }
    }
  }
}
