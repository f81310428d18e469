package dev.cacheproxy.core;

import dev.cacheproxy.rules.RepositoryName;
import dev.cacheproxy.rules.RuleSet;
import java.io.Closeable;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** PLACEHOLDER API SKETCH - replaced by the real implementation before commit. */
public final class CacheProxy implements Closeable {

  /** Resolves a manifest by tag or digest. */
  public ManifestResult manifest(RepositoryName name, Reference reference, List<String> accept) {
    throw new UnsupportedOperationException();
  }

  /** Opens a blob. */
  public BlobStream blob(RepositoryName name, Digest digest) {
    throw new UnsupportedOperationException();
  }

  /** Blob size and status for HEAD. */
  public BlobInfo blobInfo(RepositoryName name, Digest digest) {
    throw new UnsupportedOperationException();
  }

  /** Tags, paged. limit Integer.MAX_VALUE for all. */
  public TagList tags(RepositoryName name, int limit, @Nullable String last) {
    throw new UnsupportedOperationException();
  }

  /** Cached repositories by alias name, sorted. */
  public List<RepositoryName> catalog() {
    throw new UnsupportedOperationException();
  }

  /** The rules. */
  public RuleSet rules() {
    throw new UnsupportedOperationException();
  }

  @Override
  public void close() {}
}
