/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.manifest;

import dev.cacheproxy.core.CacheStatus;
import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.Manifest;
import dev.cacheproxy.core.ManifestResult;
import dev.cacheproxy.core.NotFoundException;
import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.ProxyException;
import dev.cacheproxy.core.StorageException;
import dev.cacheproxy.core.Tag;
import dev.cacheproxy.core.internal.manifest.RepositoryIndex.ManifestRecord;
import dev.cacheproxy.core.internal.upstream.ManifestHead;
import dev.cacheproxy.core.internal.upstream.RegistryClient;
import dev.cacheproxy.core.internal.upstream.UpstreamManifest;
import dev.cacheproxy.core.spi.BlobStore;
import dev.cacheproxy.core.spi.BlobWriter;
import dev.cacheproxy.core.spi.StoredBlob;
import dev.cacheproxy.rules.Route;
import dev.cacheproxy.rules.RulePolicy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves manifests by tag or digest: from the cache while fresh, revalidated with a HEAD once
 * stale, fetched with a GET on a miss, and served stale when the upstream cannot be asked.
 *
 * <p>A manifest by digest is immutable: once cached it is never fetched again. A tag is cached per
 * media type, so a client is never served a type its {@code Accept} header does not allow.
 *
 * <p>Concurrency: upstream calls for the same repository, reference and Accept set are coalesced by
 * a {@link SingleFlight}, so concurrent misses cost one upstream request.
 */
public final class ManifestResolver {

  private static final Logger LOG = LoggerFactory.getLogger(ManifestResolver.class);

  private final RegistryClient client;
  private final BlobStore store;
  private final RepositoryIndex index;
  private final Clock clock;
  private final SingleFlight<ManifestResult> inFlight = new SingleFlight<>();

  /** Creates a resolver over the upstream client and the cache's stores. */
  public ManifestResolver(
      RegistryClient client, BlobStore store, RepositoryIndex index, Clock clock) {
    this.client = client;
    this.store = store;
    this.index = index;
    this.clock = clock;
  }

  /** Resolves a manifest by digest: from the cache, else once from the upstream. */
  public ManifestResult byDigest(
      Route route, Digest digest, List<String> accept, CredentialsLookup credentials) {
    Optional<Manifest> cached = loadByDigest(route, digest);
    if (cached.isPresent()) {
      return new ManifestResult(cached.get(), CacheStatus.HIT);
    }
    if (readOnly(route)) {
      throw notCached(route, "manifest " + digest);
    }
    String key = route.upstreamName() + "@" + digest;
    return inFlight.run(
        key,
        () -> {
          Optional<Manifest> again = loadByDigest(route, digest);
          if (again.isPresent()) {
            return new ManifestResult(again.get(), CacheStatus.HIT);
          }
          List<String> upstreamAccept = union(MediaTypes.upstreamAccept(accept), MediaTypes.ALL);
          UpstreamManifest fetched =
              client.getManifest(
                  route.registry(),
                  route.upstreamRepository(),
                  digest,
                  upstreamAccept,
                  credentials.get());
          Manifest manifest = new Manifest(digest, fetched.mediaType(), fetched.content());
          save(route, manifest);
          return new ManifestResult(manifest, CacheStatus.MISS);
        });
  }

  /**
   * Resolves a tag: from the cache while younger than the rule's freshness; after that revalidated
   * with a HEAD; on a miss fetched with a GET. When revalidation fails for any reason the cached
   * manifest is served with {@link CacheStatus#STALE}.
   */
  public ManifestResult byTag(
      Route route, Tag tag, List<String> accept, CredentialsLookup credentials) {
    Optional<Cached> cached = loadByTag(route, tag, accept);
    if (readOnly(route)) {
      return cached
          .map(c -> new ManifestResult(c.manifest(), CacheStatus.HIT))
          .orElseThrow(() -> notCached(route, "tag " + tag));
    }
    if (cached.isPresent()) {
      Duration age = Duration.ofMillis(clock.millis() - cached.get().entry().checkedAtMillis());
      if (age.compareTo(route.rule().tagFreshness()) < 0) {
        return new ManifestResult(cached.get().manifest(), CacheStatus.HIT);
      }
    }
    String key =
        route.upstreamName()
            + ":"
            + tag
            + " "
            + String.join(",", MediaTypes.upstreamAccept(accept));
    return inFlight.run(
        key,
        () -> {
          Optional<Cached> current = loadByTag(route, tag, accept);
          if (current.isEmpty()) {
            return fetchTag(route, tag, accept, credentials);
          }
          Cached c = current.get();
          if (clock.millis() - c.entry().checkedAtMillis()
              < route.rule().tagFreshness().toMillis()) {
            return new ManifestResult(c.manifest(), CacheStatus.HIT);
          }
          return revalidate(route, tag, accept, credentials, c);
        });
  }

  private ManifestResult revalidate(
      Route route, Tag tag, List<String> accept, CredentialsLookup credentials, Cached cached) {
    try {
      ManifestHead head =
          client.headManifest(
              route.registry(),
              route.upstreamRepository(),
              tag,
              MediaTypes.upstreamAccept(accept),
              credentials.get());
      if (cached.manifest().digest().equals(head.digest())) {
        TagRecord.Entry touched =
            new TagRecord.Entry(
                cached.entry().digest(), cached.entry().mediaType(), clock.millis());
        index.putTag(
            route.registry(), route.upstreamRepository(), tag, cached.record().with(touched));
        return new ManifestResult(cached.manifest(), CacheStatus.REVALIDATED);
      }
      return fetchTag(route, tag, accept, credentials);
    } catch (NotFoundException e) {
      refuseIfTooStale(route, tag, cached, e);
      LOG.warn(
          "{}:{} is gone upstream ({}); serving the cached {} (stale)",
          route.upstreamName(),
          tag,
          e.getMessage(),
          cached.manifest().digest());
      return new ManifestResult(cached.manifest(), CacheStatus.STALE);
    } catch (StorageException e) {
      throw e;
    } catch (ProxyException e) {
      refuseIfTooStale(route, tag, cached, e);
      LOG.warn(
          "revalidating {}:{} failed ({}: {}); serving the cached {} (stale)",
          route.upstreamName(),
          tag,
          e.code(),
          e.getMessage(),
          cached.manifest().digest());
      return new ManifestResult(cached.manifest(), CacheStatus.STALE);
    }
  }

  /** Rethrows the upstream's failure when the cached tag is older than the rule allows. */
  private void refuseIfTooStale(Route route, Tag tag, Cached cached, ProxyException failure) {
    Duration limit = route.rule().policy().staleIfErrorLimit();
    long age = clock.millis() - cached.entry().checkedAtMillis();
    if (limit != null && age > limit.toMillis()) {
      LOG.warn(
          "revalidating {}:{} failed ({}) and the cached {} was last confirmed {} s ago, more than"
              + " rule '{}' allows (staleIfErrorLimit {})",
          route.upstreamName(),
          tag,
          failure.getMessage(),
          cached.manifest().digest(),
          age / 1000,
          route.rule().name(),
          limit);
      throw failure;
    }
  }

  private static boolean readOnly(Route route) {
    return route.rule().policy().mode() == RulePolicy.Mode.READ_ONLY;
  }

  private static NotFoundException notCached(Route route, String what) {
    return new NotFoundException(
        OciErrorCode.MANIFEST_UNKNOWN,
        what
            + " of "
            + route.clientRepository()
            + " is not cached, and rule '"
            + route.rule().name()
            + "' is read-only (it never contacts "
            + route.registry()
            + ")");
  }

  private ManifestResult fetchTag(
      Route route, Tag tag, List<String> accept, CredentialsLookup credentials) {
    UpstreamManifest fetched =
        client.getManifest(
            route.registry(),
            route.upstreamRepository(),
            tag,
            MediaTypes.upstreamAccept(accept),
            credentials.get());
    Digest digest =
        fetched.digestHeader() != null ? fetched.digestHeader() : Digest.sha256(fetched.content());
    Manifest manifest = new Manifest(digest, fetched.mediaType(), fetched.content());
    save(route, manifest);
    TagRecord record =
        index
            .tag(route.registry(), route.upstreamRepository(), tag)
            .orElse(new TagRecord(List.of()));
    index.putTag(
        route.registry(),
        route.upstreamRepository(),
        tag,
        record.with(new TagRecord.Entry(digest.toString(), manifest.mediaType(), clock.millis())));
    if (!MediaTypes.acceptable(manifest.mediaType(), accept)) {
      throw new NotFoundException(
          OciErrorCode.MANIFEST_UNKNOWN,
          route.upstreamName()
              + ":"
              + tag
              + " is a "
              + manifest.mediaType()
              + ", which the client does not accept (Accept: "
              + String.join(", ", accept)
              + ")");
    }
    return new ManifestResult(manifest, CacheStatus.MISS);
  }

  private void save(Route route, Manifest manifest) {
    try {
      if (store.get(manifest.digest()).isEmpty()) {
        try (BlobWriter writer = store.create(manifest.digest())) {
          writer.write(ByteBuffer.wrap(manifest.content()));
          writer.commit(manifest.size());
        }
      }
    } catch (IOException e) {
      throw new StorageException(
          "cannot store manifest " + manifest.digest() + " of " + route.upstreamName(), e);
    }
    index.putManifest(
        route.registry(),
        route.upstreamRepository(),
        manifest.digest(),
        new ManifestRecord(manifest.mediaType(), manifest.size()));
  }

  private Optional<Manifest> loadByDigest(Route route, Digest digest) {
    return index
        .manifest(route.registry(), route.upstreamRepository(), digest)
        .flatMap(record -> load(route, digest, record.mediaType()));
  }

  private Optional<Cached> loadByTag(Route route, Tag tag, List<String> accept) {
    Optional<TagRecord> record = index.tag(route.registry(), route.upstreamRepository(), tag);
    if (record.isEmpty()) {
      return Optional.empty();
    }
    Optional<TagRecord.Entry> entry = record.get().acceptable(accept);
    if (entry.isEmpty()) {
      return Optional.empty();
    }
    Digest digest = Digest.parse(entry.get().digest());
    return load(route, digest, entry.get().mediaType())
        .map(manifest -> new Cached(record.get(), entry.get(), manifest));
  }

  private Optional<Manifest> load(Route route, Digest digest, String mediaType) {
    try {
      Optional<StoredBlob> stored = store.get(digest);
      if (stored.isEmpty() || stored.get().size() > Manifest.MAX_SIZE) {
        return Optional.empty();
      }
      return Optional.of(new Manifest(digest, mediaType, Files.readAllBytes(stored.get().path())));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new StorageException(
          "cannot read cached manifest " + digest + " of " + route.upstreamName(), e);
    }
  }

  private static List<String> union(List<String> a, List<String> b) {
    Set<String> all = new LinkedHashSet<>(a);
    all.addAll(b);
    return List.copyOf(all);
  }

  private record Cached(TagRecord record, TagRecord.Entry entry, Manifest manifest) {}
}
