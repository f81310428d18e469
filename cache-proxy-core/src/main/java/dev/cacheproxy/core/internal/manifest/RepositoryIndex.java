/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.manifest;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.ProxyException;
import dev.cacheproxy.core.StorageException;
import dev.cacheproxy.core.Tag;
import dev.cacheproxy.rules.Registry;
import dev.cacheproxy.rules.RepositoryName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
  private static final Logger LOG = LoggerFactory.getLogger(RepositoryIndex.class);

  private final Path root;
  private final Path tmp;
  private final boolean repairs;
  private final Cache<Path, Object> records = Caffeine.newBuilder().maximumSize(100_000).build();

  /**
   * A manifest known in a repository.
   *
   * @param mediaType its media type
   * @param size its size in bytes
   * @param lastPulledMillis when a client last pulled it (epoch milliseconds; 0 if never recorded).
   *     Written in the background, so it may lag the in-memory time by the flush interval.
   * @param rule the rule it was last pulled through, or null if not recorded
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ManifestRecord(
      @JsonProperty("mediaType") String mediaType,
      @JsonProperty("size") long size,
      @JsonProperty("lastPulled") long lastPulledMillis,
      @JsonProperty("rule") @Nullable String rule) {

    /** A record without pull information. */
    public ManifestRecord(String mediaType, long size) {
      this(mediaType, size, 0, null);
    }

    /** This record with another last pull time and rule. */
    public ManifestRecord pulled(long lastPulledMillis, @Nullable String rule) {
      return new ManifestRecord(mediaType, size, lastPulledMillis, rule);
    }
  }

  /** Receives the manifest records of {@link #forEachManifest}. */
  @FunctionalInterface
  public interface ManifestVisitor {
    /** Called once per manifest record. */
    void visit(Registry registry, RepositoryName repository, Digest digest, ManifestRecord record);
  }

  /**
   * An upstream repository that has cached content.
   *
   * @param registry the registry host
   * @param repository the repository at that registry
   */
  public record CachedRepository(String registry, RepositoryName repository) {}

  /** Opens (creating) the index under {@code root}, removing temp files left by a crash. */
  public RepositoryIndex(Path root) {
    this(root, true);
  }

  /**
   * Opens (creating) the index under {@code root}; removes temp files left by a crash only if
   * {@code removeTemporaryFiles} (tools reading the index of a running server pass false; such an
   * index also skips unreadable records instead of deleting them).
   */
  public RepositoryIndex(Path root, boolean removeTemporaryFiles) {
    this.root = root;
    this.tmp = root.resolve("_tmp");
    this.repairs = removeTemporaryFiles;
    try {
      Files.createDirectories(tmp);
      if (removeTemporaryFiles) {
        try (Stream<Path> leftovers = Files.list(tmp)) {
          for (Path p : (Iterable<Path>) leftovers::iterator) {
            Files.deleteIfExists(p);
          }
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

  /** The digests {@code tag} resolves to (one per media type), empty if it is not cached. */
  public List<Digest> tagDigests(Registry registry, RepositoryName repository, Tag tag) {
    return tag(registry, repository, tag).map(TagRecord::entries).orElse(List.of()).stream()
        .map(e -> Digest.parse(e.digest()))
        .distinct()
        .toList();
  }

  /** Deletes the record of {@code tag}; returns whether there was one. */
  public boolean deleteTag(Registry registry, RepositoryName repository, Tag tag) {
    Path path = tagPath(registry, repository, tag);
    try {
      records.invalidate(path);
      boolean existed = Files.deleteIfExists(path);
      deleteEmptyFolders(path.getParent());
      return existed;
    } catch (IOException e) {
      throw new StorageException("cannot delete cache metadata " + root.relativize(path), e);
    }
  }

  /** The manifest with this digest, if the repository has served it. */
  public Optional<ManifestRecord> manifest(
      Registry registry, RepositoryName repository, Digest digest) {
    return read(manifestPath(registry, repository, digest), ManifestRecord.class);
  }

  /**
   * The record of a manifest when it is in memory; never reads the disk (empty when the record
   * would have to be read, or does not exist).
   */
  public Optional<ManifestRecord> manifestInMemory(
      Registry registry, RepositoryName repository, Digest digest) {
    Object cached = records.getIfPresent(manifestPath(registry, repository, digest));
    return cached instanceof ManifestRecord record ? Optional.of(record) : Optional.empty();
  }

  /** Records that the repository serves the manifest with this digest. */
  public void putManifest(
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

  /**
   * Visits every manifest record of every repository, from the calling thread. Records that cannot
   * be parsed are deleted (they can only come from a crash of the machine mid-write) and skipped.
   *
   * @throws StorageException if the folders cannot be listed
   */
  public void forEachManifest(ManifestVisitor visitor) {
    for (CachedRepository repository : repositories()) {
      Registry registry = Registry.of(repository.registry());
      Path dir = repositoryDir(registry, repository.repository()).resolve("_manifests");
      try (Stream<Path> walk = Files.walk(dir, 2)) {
        for (Path file : (Iterable<Path>) walk::iterator) {
          Optional<Digest> digest = digestOf(dir, file);
          if (digest.isEmpty()) {
            continue;
          }
          Optional<ManifestRecord> record = read(file, ManifestRecord.class);
          if (record.isPresent()) {
            visitor.visit(registry, repository.repository(), digest.get(), record.get());
          }
        }
      } catch (NoSuchFileException e) {
        // The repository was deleted while listing.
      } catch (IOException | UncheckedIOException e) {
        throw new StorageException("cannot list cached manifests of " + repository, e);
      }
    }
  }

  /**
   * Deletes the record of a manifest in a repository, and the repository's folders once they hold
   * nothing more. Returns whether the record existed. Tags pointing at it are not touched; see
   * {@link #removeTagsPointingTo}.
   */
  public boolean deleteManifest(Registry registry, RepositoryName repository, Digest digest) {
    Path path = manifestPath(registry, repository, digest);
    try {
      records.invalidate(path);
      boolean existed = Files.deleteIfExists(path);
      deleteEmptyFolders(path.getParent());
      return existed;
    } catch (IOException e) {
      throw new StorageException("cannot delete cache metadata " + root.relativize(path), e);
    }
  }

  /**
   * Removes every resolution of the repository's tags to {@code digest}; a tag left with none is
   * deleted. Returns the tags that changed.
   */
  public List<String> removeTagsPointingTo(
      Registry registry, RepositoryName repository, Digest digest) {
    String text = digest.toString();
    List<String> changed = new ArrayList<>();
    for (String name : tags(registry, repository)) {
      Tag tag = Tag.parse(name);
      Optional<TagRecord> record = tag(registry, repository, tag);
      if (record.isEmpty()
          || record.get().entries().stream().noneMatch(e -> e.digest().equals(text))) {
        continue;
      }
      List<TagRecord.Entry> kept =
          record.get().entries().stream().filter(e -> !e.digest().equals(text)).toList();
      Path path = tagPath(registry, repository, tag);
      if (kept.isEmpty()) {
        try {
          records.invalidate(path);
          Files.deleteIfExists(path);
          deleteEmptyFolders(path.getParent());
        } catch (IOException e) {
          throw new StorageException("cannot delete cache metadata " + root.relativize(path), e);
        }
      } else {
        write(path, new TagRecord(kept));
      }
      changed.add(name);
    }
    return changed;
  }

  /** Deletes {@code folder} and its parents up to the root while they are empty. */
  private void deleteEmptyFolders(@Nullable Path folder) throws IOException {
    @Nullable Path current = folder;
    while (current != null && current.startsWith(root) && !current.equals(root)) {
      try {
        Files.deleteIfExists(current);
      } catch (DirectoryNotEmptyException e) {
        return;
      }
      current = current.getParent();
    }
  }

  /** The digest a file under a repository's {@code _manifests} folder records, if it is one. */
  private static Optional<Digest> digestOf(Path manifestsDir, Path file) {
    Path relative = manifestsDir.relativize(file);
    String name = file.getFileName().toString();
    if (relative.getNameCount() != 2 || !name.endsWith(".json")) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new Digest(
              relative.getName(0).toString(), name.substring(0, name.length() - ".json".length())));
    } catch (ProxyException e) {
      return Optional.empty();
    }
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
    } catch (JsonProcessingException e) {
      // Records are replaced atomically, so only a crash of the machine (not of the process) can
      // leave one torn: forget it; the upstream is asked again. An index opened only to read
      // (beside a running server) leaves the file to the server.
      if (!repairs) {
        return Optional.empty();
      }
      LOG.warn("deleting unreadable cache metadata {}: {}", root.relativize(path), e.getMessage());
      try {
        Files.deleteIfExists(path);
      } catch (IOException ignored) {
        // Reported by the next read.
      }
      return Optional.empty();
    } catch (IOException e) {
      throw new StorageException("cannot read cache metadata " + root.relativize(path), e);
    }
  }

  private void write(Path path, Object value) {
    try {
      Path temp = Files.createTempFile(tmp, "meta", ".tmp");
      try {
        Files.write(temp, JSON.writeValueAsBytes(value));
        try {
          Files.createDirectories(path.getParent());
          move(temp, path);
        } catch (NoSuchFileException e) {
          // An eviction removed the (empty) folder between the two calls: create it again.
          Files.createDirectories(path.getParent());
          move(temp, path);
        }
      } finally {
        Files.deleteIfExists(temp);
      }
      records.put(path, value);
    } catch (IOException e) {
      throw new StorageException("cannot write cache metadata " + root.relativize(path), e);
    }
  }

  private static void move(Path temp, Path path) throws IOException {
    try {
      Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
