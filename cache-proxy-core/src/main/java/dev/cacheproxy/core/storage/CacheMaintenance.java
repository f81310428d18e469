/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.storage;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.StorageException;
import dev.cacheproxy.core.internal.manifest.RepositoryIndex;
import dev.cacheproxy.core.internal.store.DataDirectoryLock;
import dev.cacheproxy.core.internal.store.FileSystemBlobStore;
import dev.cacheproxy.core.internal.store.StoreScan;
import dev.cacheproxy.core.internal.store.StoreScan.ScannedManifest;
import dev.cacheproxy.core.spi.StoredBlob;
import dev.cacheproxy.core.storage.VerifyReport.CorruptBlob;
import dev.cacheproxy.rules.Registry;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The maintenance of a cache's data directory ({@code blobs/} and {@code repositories/}), for
 * operators: {@link #verify} re-hashes every blob, {@link #gc} removes the blobs no cached manifest
 * references, {@link #usage} tells how much each repository takes.
 *
 * <pre>{@code
 * CacheMaintenance cache = CacheMaintenance.open(Path.of("data"));
 * VerifyReport report = cache.verify(false, ProgressListener.NONE);
 * }</pre>
 *
 * <p>Concurrency: {@code verify} without repair and {@code usage} only read, so they may run while
 * a server uses the directory (they then see it as it was while they walked it, and leave its
 * temporary files alone, since those may be fills in progress). {@code gc} (except a dry run) and
 * {@code verify} with repair take the directory's exclusive {@link DataDirectoryLock} for the whole
 * run, and refuse to start while a server or another such run holds it. Every call opens the store
 * and index afresh, so an instance holds no state between calls and any thread may use it.
 */
public final class CacheMaintenance {

  private static final String BLOBS = "blobs";
  private static final String REPOSITORIES = "repositories";

  /** The folder of temporary files in both the blob store and the index. */
  private static final String TEMP_FOLDER = "_tmp";

  private final Path dataDirectory;

  private CacheMaintenance(Path dataDirectory) {
    this.dataDirectory = dataDirectory;
  }

  /**
   * Opens the data directory of a cache (the server's {@code storage.dataDir}). Nothing is read or
   * locked yet.
   *
   * @throws IllegalArgumentException if the directory does not exist, or holds neither {@code
   *     blobs/} nor {@code repositories/} (so that a wrong path is not filled with empty folders)
   */
  public static CacheMaintenance open(Path dataDirectory) {
    Path dir = dataDirectory.toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("there is no data directory at " + dir);
    }
    if (!Files.isDirectory(dir.resolve(BLOBS)) && !Files.isDirectory(dir.resolve(REPOSITORIES))) {
      throw new IllegalArgumentException(
          dir + " is not a cache-proxy data directory: it holds neither blobs/ nor repositories/");
    }
    return new CacheMaintenance(dir);
  }

  /** The absolute path of the data directory. */
  public Path dataDirectory() {
    return dataDirectory;
  }

  /**
   * Re-hashes every stored blob with the algorithm of its digest, streaming it through one fixed
   * buffer, and reports those whose content does not match or cannot be read. With {@code repair},
   * it deletes them, with the records of manifests whose blob was corrupt and the tags pointing at
   * those; everything deleted is fetched from the upstream again on the next pull.
   *
   * @param repair whether to delete what is corrupt; this takes the data directory's lock
   * @param progress told of the blobs and bytes done, from the calling thread
   * @throws StorageException if the blobs cannot be listed, or (with {@code repair}) a server is
   *     running on the directory or a corrupt blob cannot be deleted
   */
  public VerifyReport verify(boolean repair, ProgressListener progress) {
    if (!repair) {
      return BlobCheck.check(
          new FileSystemBlobStore(dataDirectory.resolve(BLOBS), false), progress);
    }
    return locked(
        "verify --repair",
        () -> {
          FileSystemBlobStore store = new FileSystemBlobStore(dataDirectory.resolve(BLOBS), true);
          RepositoryIndex index = new RepositoryIndex(dataDirectory.resolve(REPOSITORIES), true);
          return repair(store, index, BlobCheck.check(store, progress));
        });
  }

  /**
   * Collects garbage: the stored blobs that no manifest record references (a record references its
   * manifest's blob, the manifest's config and layers, and the blobs of an index's child
   * manifests), and the records whose manifest blob is missing (with the tags pointing at them). A
   * real run takes the data directory's lock and also deletes the temporary files a crash left; a
   * dry run only reads.
   *
   * @param dryRun whether to only report what would be removed
   * @throws StorageException if the cache cannot be read, a server is running on the directory (a
   *     real run only), or something cannot be deleted
   */
  public GcReport gc(boolean dryRun) {
    if (dryRun) {
      StoreScan scan = scan(false);
      List<StoredBlob> unreferenced = ReferenceGraph.of(scan).unreferenced();
      return new GcReport(
          true, unreferenced, sizeOf(unreferenced), dangling(scan), List.of(), 0, 0);
    }
    return locked("gc", this::collect);
  }

  /**
   * How the cache's space is used, per repository and in total. Only reads.
   *
   * @throws StorageException if the cache cannot be read
   */
  public UsageReport usage() {
    return ReferenceGraph.of(scan(false)).usage();
  }

  private GcReport collect() {
    long[] temporary = temporaryFiles();
    RepositoryIndex index = new RepositoryIndex(dataDirectory.resolve(REPOSITORIES), true);
    FileSystemBlobStore store = new FileSystemBlobStore(dataDirectory.resolve(BLOBS), true);
    StoreScan scan = StoreScan.scan(store, index);
    List<CachedManifest> dangling = dangling(scan);
    List<String> tags = new ArrayList<>();
    for (CachedManifest manifest : dangling) {
      tags.addAll(remove(index, manifest));
    }
    List<StoredBlob> removed = new ArrayList<>();
    for (StoredBlob blob : ReferenceGraph.of(scan).unreferenced()) {
      if (delete(store, blob.digest())) {
        removed.add(blob);
      }
    }
    return new GcReport(
        false, removed, sizeOf(removed), dangling, tags, (int) temporary[0], temporary[1]);
  }

  private static VerifyReport repair(
      FileSystemBlobStore store, RepositoryIndex index, VerifyReport checked) {
    Set<Digest> corrupt = new HashSet<>();
    for (CorruptBlob blob : checked.corrupt()) {
      delete(store, blob.digest());
      corrupt.add(blob.digest());
    }
    List<CachedManifest> records = new ArrayList<>();
    if (!corrupt.isEmpty()) {
      index.forEachManifest((registry, repository, digest, record) -> {
        if (corrupt.contains(digest)) {
          records.add(new CachedManifest(registry.host(), repository, digest));
        }
      });
    }
    List<String> tags = new ArrayList<>();
    for (CachedManifest manifest : records) {
      tags.addAll(remove(index, manifest));
    }
    return new VerifyReport(
        checked.blobs(), checked.bytes(), checked.corrupt(), true, records, tags);
  }

  /** Deletes a manifest record and the tags pointing at it; returns those tags. */
  private static List<String> remove(RepositoryIndex index, CachedManifest manifest) {
    Registry registry = Registry.of(manifest.registry());
    List<String> tags = new ArrayList<>();
    for (String tag :
        index.removeTagsPointingTo(registry, manifest.repository(), manifest.digest())) {
      tags.add(manifest.registry() + "/" + manifest.repository().value() + ":" + tag);
    }
    index.deleteManifest(registry, manifest.repository(), manifest.digest());
    return tags;
  }

  private static boolean delete(FileSystemBlobStore store, Digest digest) {
    try {
      return store.delete(digest);
    } catch (IOException e) {
      throw new StorageException("cannot delete blob " + digest + ": " + e, e);
    }
  }

  private StoreScan scan(boolean owned) {
    return StoreScan.scan(
        new FileSystemBlobStore(dataDirectory.resolve(BLOBS), owned),
        new RepositoryIndex(dataDirectory.resolve(REPOSITORIES), owned));
  }

  private static List<CachedManifest> dangling(StoreScan scan) {
    List<CachedManifest> dangling = new ArrayList<>();
    for (ScannedManifest manifest : scan.dangling()) {
      dangling.add(
          new CachedManifest(manifest.registry().host(), manifest.repository(), manifest.digest()));
    }
    dangling.sort(Comparator.comparing(CachedManifest::toString));
    return dangling;
  }

  /** How many temporary files the store and the index hold, and their size. */
  private long[] temporaryFiles() {
    long[] found = new long[2];
    for (String folder : List.of(BLOBS, REPOSITORIES)) {
      try (DirectoryStream<Path> files =
          Files.newDirectoryStream(dataDirectory.resolve(folder).resolve(TEMP_FOLDER))) {
        for (Path file : files) {
          found[0]++;
          found[1] += Files.size(file);
        }
      } catch (NoSuchFileException e) {
        // No temporary folder, no temporary files.
      } catch (IOException e) {
        throw new StorageException("cannot list the temporary files of " + folder + ": " + e, e);
      }
    }
    return found;
  }

  /** The total size of {@code blobs}. */
  static long sizeOf(List<StoredBlob> blobs) {
    long bytes = 0;
    for (StoredBlob blob : blobs) {
      bytes += blob.size();
    }
    return bytes;
  }

  /**
   * Runs {@code work} holding the data directory's lock.
   *
   * @throws StorageException saying a server runs on the directory if another process (or another
   *     cache of this one) holds the lock
   */
  private <T> T locked(String operation, Supplier<T> work) {
    DataDirectoryLock lock;
    try {
      lock = DataDirectoryLock.acquire(dataDirectory);
    } catch (DataDirectoryLock.InUseException e) {
      String owner = e.owner();
      throw new StorageException(
          "cannot run "
              + operation
              + ": a cache-proxy server"
              + (owner.isEmpty() ? "" : " (process " + owner + ")")
              + " is running on the data directory "
              + dataDirectory
              + "; stop it first ("
              + operation
              + " needs the cache to itself; verify without --repair, gc --dry-run and du"
              + " can run next to the server)",
          e);
    }
    try (lock) {
      return work.get();
    } catch (IOException e) {
      throw new StorageException("cannot unlock the data directory " + dataDirectory, e);
    }
  }
}
