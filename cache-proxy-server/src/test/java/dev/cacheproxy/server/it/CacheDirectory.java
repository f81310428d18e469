/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cacheproxy.core.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Reads a proxy's data directory from the outside, the way an operator would look at it: {@code
 * blobs/<algorithm>/<2 hex>/<hex>} with fills in {@code blobs/_tmp}, and manifest records {@code
 * repositories/<registry>/<repository>/_manifests/<algorithm>/<hex>.json} with writes in {@code
 * repositories/_tmp}.
 *
 * <p>The server may change the folder while this reads it: a file listed a moment ago may be gone
 * (renamed or evicted) when it is read, and that is not an error.
 */
final class CacheDirectory {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TEMP = "_tmp";

  private final Path blobs;
  private final Path repositories;

  /** The data directory {@code dataDir}, which need not exist yet. */
  CacheDirectory(Path dataDir) {
    this.blobs = dataDir.resolve("blobs");
    this.repositories = dataDir.resolve("repositories");
  }

  /**
   * A manifest record of the index.
   *
   * @param file the record's file
   * @param repository the folder of the repository, {@code <registry>/<repository>}
   * @param digest the manifest's digest, from the file name
   */
  record ManifestRecord(Path file, String repository, Digest digest) {}

  /** The temporary files in {@code blobs/_tmp} and {@code repositories/_tmp}. */
  List<Path> tempFiles() {
    List<Path> files = new ArrayList<>(regularFiles(blobs.resolve(TEMP)));
    files.addAll(regularFiles(repositories.resolve(TEMP)));
    return List.copyOf(files);
  }

  /** How many temporary files of blob fills hold at least {@code minBytes} bytes. */
  long blobFillsWithAtLeast(long minBytes) {
    return regularFiles(blobs.resolve(TEMP)).stream().filter(f -> size(f) >= minBytes).count();
  }

  /**
   * The sum of the sizes of the committed blobs: every file under {@code blobs/} but {@code _tmp}.
   */
  long blobUsage() {
    return committedBlobFiles().stream().mapToLong(CacheDirectory::size).sum();
  }

  /** The file of the committed blob {@code digest}, if there is one. */
  Optional<Path> blob(Digest digest) {
    Path file =
        blobs
            .resolve(digest.algorithm())
            .resolve(digest.hex().substring(0, 2))
            .resolve(digest.hex());
    return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
  }

  /** The committed blob files. */
  List<Path> committedBlobFiles() {
    return regularFiles(blobs).stream().filter(f -> !blobs.relativize(f).startsWith(TEMP)).toList();
  }

  /** The digests of the committed blobs of at least {@code minBytes} bytes. */
  List<Digest> committedBlobsOfAtLeast(long minBytes) {
    return committedBlobFiles().stream()
        .filter(f -> size(f) >= minBytes)
        .map(f -> new Digest(blobs.relativize(f).getName(0).toString(), f.getFileName().toString()))
        .toList();
  }

  /** The manifest records under {@code repositories/}. */
  List<ManifestRecord> manifestRecords() {
    List<ManifestRecord> records = new ArrayList<>();
    for (Path file : regularFiles(repositories)) {
      Path relative = repositories.relativize(file);
      String name = file.getFileName().toString();
      if (relative.startsWith(TEMP)
          || relative.getNameCount() < 4
          || !relative.getName(relative.getNameCount() - 3).toString().equals("_manifests")
          || !name.endsWith(".json")) {
        continue;
      }
      String algorithm = relative.getName(relative.getNameCount() - 2).toString();
      String hex = name.substring(0, name.length() - ".json".length());
      records.add(
          new ManifestRecord(
              file,
              relative.subpath(0, relative.getNameCount() - 3).toString(),
              new Digest(algorithm, hex)));
    }
    return List.copyOf(records);
  }

  /** The digests of the manifests that have a record, in any repository. */
  List<Digest> recordedManifests() {
    return manifestRecords().stream().map(ManifestRecord::digest).distinct().toList();
  }

  /**
   * Asserts that every committed blob hashes to the digest its path names: no partial or corrupt
   * file was ever committed.
   */
  void assertEveryBlobMatchesItsDigest() {
    List<Path> files = committedBlobFiles();
    assertThat(files).as("committed blobs under %s", blobs).isNotEmpty();
    for (Path file : files) {
      Path relative = blobs.relativize(file);
      Digest named = new Digest(relative.getName(0).toString(), file.getFileName().toString());
      assertThat(sha256(file)).as("the digest of the bytes of %s", file).isEqualTo(named);
    }
  }

  /**
   * Asserts that no retained image misses a blob: for every manifest record, the manifest itself is
   * a committed blob, and so is every blob and child manifest it references (config, layers, the
   * manifests of an index). Returns the records checked.
   */
  List<ManifestRecord> assertRetainedImagesComplete() {
    List<ManifestRecord> records = manifestRecords();
    for (ManifestRecord record : records) {
      Optional<Path> manifest = blob(record.digest());
      assertThat(manifest).as("the manifest blob of the record %s", record.file()).isPresent();
      JsonNode json = readJson(manifest.orElseThrow());
      List<Digest> referenced = new ArrayList<>();
      if (json.hasNonNull("config")) {
        referenced.add(Digest.parse(json.get("config").get("digest").asText()));
      }
      for (String list : List.of("layers", "manifests")) {
        json.path(list).forEach(d -> referenced.add(Digest.parse(d.get("digest").asText())));
      }
      for (Digest digest : referenced) {
        assertThat(blob(digest))
            .as(
                "blob %s referenced by the retained manifest %s of %s",
                digest, record.digest(), record.repository())
            .isPresent();
      }
    }
    return records;
  }

  /** What the folder holds, for failure messages. */
  String describe() {
    return "\n--- "
        + blobs.getParent()
        + ": "
        + committedBlobFiles().size()
        + " blobs, "
        + blobUsage()
        + " bytes, temp files "
        + tempFiles()
        + ", manifest records "
        + manifestRecords().stream().map(r -> r.repository() + "@" + r.digest()).toList();
  }

  private static JsonNode readJson(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse the manifest " + file, e);
    }
  }

  private static Digest sha256(Path file) {
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha256)) {
      in.transferTo(OutputStream.nullOutputStream());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return new Digest("sha256", HexFormat.of().formatHex(sha256.digest()));
  }

  /** The regular files under {@code dir}, none if it does not exist. */
  private static List<Path> regularFiles(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).toList();
    } catch (UncheckedIOException e) {
      if (e.getCause() instanceof NoSuchFileException) {
        return regularFiles(dir); // a folder vanished under the walk (an eviction): look again
      }
      throw e;
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  /** The size of {@code file}, 0 if it is gone. */
  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (NoSuchFileException e) {
      return 0;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the size of " + file, e);
    }
  }
}
