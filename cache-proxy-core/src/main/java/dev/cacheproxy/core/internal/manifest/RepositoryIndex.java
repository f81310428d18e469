/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.manifest;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.StorageException;
import dev.cacheproxy.core.Tag;
import dev.cacheproxy.rules.Registry;
import dev.cacheproxy.rules.RepositoryName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The cache's metadata on disk: which manifests each upstream repository has served (with their
 * media types) and what each tag resolved to.
 *
 * <p>Layout under the root: {@code <registry>/<repository>/_manifests/<algorithm>/<hex>.json} and
 * {@code <registry>/<repository>/_tags/<tag>.json}. The manifest bytes themselves live in the blob
 * store. Keying by registry keeps {@code ghcr.io/foo/bar} and {@code docker.io/foo/bar} apart.
 *
 * <p>Concurrency: every file is written to a temporary file and moved into place atomically, so a
 * reader sees the old or the new record, never a torn one; concurrent writers of one tag race and
 * the last one wins, which is fine because both wrote what the upstream said. Records are also held
 * in a bounded in-memory cache, updated on every write through this class.
 */
public final class RepositoryIndex {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path root;
  private final Path tmp;
  private final Cache<Path, Object> records = Caffeine.newBuilder().maximumSize(100_000).build();

  /**
   * A manifest known in a repository.
   *
   * @param mediaType its media type
   * @param size its size in bytes
   */
  public record ManifestRecord(
      @JsonProperty("mediaType") String mediaType, @JsonProperty("size") long size) {}

  /**
   * An upstream repository that has cached content.
   *
   * @param registry the registry host
   * @param repository the repository at that registry
   */
  public record CachedRepository(String registry, RepositoryName repository) {}

  /** Opens (creating) the index under {@code root}, removing temp files left by a crash. */
  public RepositoryIndex(Path root) {
    this.root = root;
    this.tmp = root.resolve("_tmp");
    try {
      Files.createDirectories(tmp);
      try (Stream<Path> leftovers = Files.list(tmp)) {
        for (Path p : (Iterable<Path>) leftovers::iterator) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      throw new StorageException("cannot prepare the metadata folder " + root, e);
    }
  }

  /** What {@code tag} of the repository resolved to, if it was ever cached. */
  Optional<TagRecord> tag(Registry registry, RepositoryName repository, Tag tag) {
    return read(tagPath(registry, repository, tag), TagRecord.class);
  }

  /** Records what {@code tag} resolves to. */
  void putTag(Registry registry, RepositoryName repository, Tag tag, TagRecord record) {
    write(tagPath(registry, repository, tag), record);
  }

  /** The manifest with this digest, if the repository has served it. */
  public Optional<ManifestRecord> manifest(
      Registry registry, RepositoryName repository, Digest digest) {
    return read(manifestPath(registry, repository, digest), ManifestRecord.class);
  }

  /** Records that the repository serves the manifest with this digest. */
  void putManifest(
      Registry registry, RepositoryName repository, Digest digest, ManifestRecord record) {
    write(manifestPath(registry, repository, digest), record);
  }

  /** The cached tags of a repository, sorted. */
  public List<String> tags(Registry registry, RepositoryName repository) {
    Path dir = repositoryDir(registry, repository).resolve("_tags");
    List<String> tags = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".json"))
          .map(n -> n.substring(0, n.length() - ".json".length()))
          .filter(Tag::isValid)
          .forEach(tags::add);
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new StorageException("cannot list cached tags of " + registry + "/" + repository, e);
    }
    tags.sort(null);
    return tags;
  }

  /** Every upstream repository with at least one cached manifest. */
  public List<CachedRepository> repositories() {
    List<CachedRepository> found = new ArrayList<>();
    try (Stream<Path> registries = Files.list(root)) {
      for (Path registryDir : (Iterable<Path>) registries::iterator) {
        String host = registryDir.getFileName().toString();
        if (host.startsWith("_") || !Files.isDirectory(registryDir)) {
          continue;
        }
        try (Stream<Path> walk = Files.walk(registryDir)) {
          walk.filter(p -> p.getFileName().toString().equals("_manifests") && Files.isDirectory(p))
              .map(p -> registryDir.relativize(p.getParent()).toString().replace('\\', '/'))
              .filter(RepositoryName::isValid)
              .forEach(name -> found.add(new CachedRepository(host, RepositoryName.of(name))));
        }
      }
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException | UncheckedIOException e) {
      throw new StorageException("cannot list cached repositories under " + root, e);
    }
    return found;
  }

  private Path repositoryDir(Registry registry, RepositoryName repository) {
    return root.resolve(registry.host()).resolve(repository.value());
  }

  private Path tagPath(Registry registry, RepositoryName repository, Tag tag) {
    return repositoryDir(registry, repository).resolve("_tags").resolve(tag.value() + ".json");
  }

  private Path manifestPath(Registry registry, RepositoryName repository, Digest digest) {
    return repositoryDir(registry, repository)
        .resolve("_manifests")
        .resolve(digest.algorithm())
        .resolve(digest.hex() + ".json");
  }

  private <T> Optional<T> read(Path path, Class<T> type) {
    Object cached = records.getIfPresent(path);
    if (type.isInstance(cached)) {
      return Optional.of(type.cast(cached));
    }
    try {
      T value = JSON.readValue(Files.readAllBytes(path), type);
      records.put(path, value);
      return Optional.of(value);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new StorageException("cannot read cache metadata " + root.relativize(path), e);
    }
  }

  private void write(Path path, Object value) {
    try {
      Files.createDirectories(path.getParent());
      Path temp = Files.createTempFile(tmp, "meta", ".tmp");
      try {
        Files.write(temp, JSON.writeValueAsBytes(value));
        try {
          Files.move(
              temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(temp);
      }
      records.put(path, value);
    } catch (IOException e) {
      throw new StorageException("cannot write cache metadata " + root.relativize(path), e);
    }
  }
}
