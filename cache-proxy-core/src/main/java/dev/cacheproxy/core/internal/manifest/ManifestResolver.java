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
import dev.cacheproxy.core.events.CacheEvent;
import dev.cacheproxy.core.events.CacheEventListener;
import dev.cacheproxy.core.internal.events.EventDispatcher;
import dev.cacheproxy.core.internal.evict.ManifestTracker;
import dev.cacheproxy.core.internal.upstream.ManifestHead;
import dev.cacheproxy.core.internal.upstream.RegistryClient;
import dev.cacheproxy.core.internal.upstream.UpstreamManifest;
import dev.cacheproxy.core.spi.BlobStore;
import dev.cacheproxy.rules.Route;
import dev.cacheproxy.rules.RulePolicy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves manifests by tag or digest: from the cache while fresh, revalidated with a HEAD once
 * stale, fetched with a GET on a miss, and served stale when the upstream cannot be asked.
 *
 * <p>A manifest by digest is immutable: once cached it is never fetched again. A tag is cached per
 * media type, so a client is never served a type its {@code Accept} header does not allow.
 *
 * <p>Every manifest saved is recorded with a {@link ManifestTracker} (with what it references and
 * the rule it came through), and every manifest served is reported to it as pulled. When the cache
 * cannot store a manifest (the disk is full), the manifest is still served, uncached, and the
 * storage-failure callback runs so that room can be made.
 *
 * <p>An upstream 404 for a tag that is not cached is remembered for {@code notFoundCacheTime} (see
 * {@link MissingTags}): pulls of that tag within the time get the same 404 without an upstream
 * call. A cached tag is always revalidated instead, and served stale if the upstream now says it is
 * gone. Manifests by digest are not negatively cached.
 *
 * <p>Concurrency: upstream calls for the same repository, reference and Accept set are coalesced by
 * a {@link SingleFlight}, so concurrent misses cost one upstream request. A save holds a lease on
 * the manifest's digest from before its commit until it is recorded, so eviction never takes the
 * blob of a record being written. A manifest blob that vanishes while it is read is a miss.
 */
public final class ManifestResolver {

  private static final Logger LOG = LoggerFactory.getLogger(ManifestResolver.class);

  private final RegistryClient client;
  private final Clock clock;
  private final ManifestCache cache;
  private final MissingTags missing;
  private final SingleFlight<ManifestResult> inFlight;
  private final boolean keepDeletedTags;
  private final ConcurrentMap<String, LongAdder> staleServes = new ConcurrentHashMap<>();
  private final MeterRegistry meters;
  private final ConcurrentMap<String, Counter> staleCounters = new ConcurrentHashMap<>();
  private final Counter unchanged;
  private final Counter changed;
  private final Counter failed;
  private final CacheEventListener events;

  /**
   * Creates a resolver that records saved and served manifests with {@code tracker}, calls {@code
   * onStorageFailure} when the cache cannot store a manifest or its metadata, and remembers an
   * upstream 404 for a tag for {@code notFoundCacheTime} (zero: not at all), measured with {@code
   * clock}. With {@code keepDeletedTags} a cached tag the upstream now answers 404 for is served
   * stale; without, it is forgotten and the 404 passed on. It records in {@code meters} the tag
   * revalidations ({@code cacheproxy.revalidations} by result: unchanged, changed, failed), the
   * cached tags served stale ({@code cacheproxy.stale.serves} by registry) and the requests that
   * waited for an upstream call already in flight ({@code
   * cacheproxy.singleflight.joins{kind=manifest}}), and reports to {@code events} each tag cached
   * for the first time or found changed when revalidated ({@code tag.updated}).
   */
  public ManifestResolver(
      RegistryClient client,
      BlobStore store,
      RepositoryIndex index,
      Clock clock,
      ManifestTracker tracker,
      Runnable onStorageFailure,
      Duration notFoundCacheTime,
      boolean keepDeletedTags,
      MeterRegistry meters,
      CacheEventListener events) {
    this.meters = meters;
    this.events = events;
    Counter joins =
        Counter.builder("cacheproxy.singleflight.joins")
            .description("Requests that joined an upstream fetch in flight instead of starting one")
            .tag("kind", "manifest")
            .register(meters);
    this.inFlight = new SingleFlight<>(joins::increment);
    this.unchanged = revalidations(meters, "unchanged");
    this.changed = revalidations(meters, "changed");
    this.failed = revalidations(meters, "failed");
    this.client = client;
    this.keepDeletedTags = keepDeletedTags;
    this.clock = clock;
    this.cache = new ManifestCache(store, index, clock, tracker, onStorageFailure);
    this.missing =
        new MissingTags(notFoundCacheTime, () -> TimeUnit.MILLISECONDS.toNanos(clock.millis()));
  }

  private static Counter revalidations(MeterRegistry meters, String result) {
    return Counter.builder("cacheproxy.revalidations")
        .description("Revalidations of cached tags with the upstream (HEAD)")
        .tag("result", result)
        .register(meters);
  }

  /** Resolves a manifest by digest: from the cache, else once from the upstream. */
  public ManifestResult byDigest(
      Route route, Digest digest, List<String> accept, CredentialsLookup credentials) {
    Optional<Manifest> cached = cache.loadByDigest(route, digest);
    if (cached.isPresent()) {
      return cache.served(route, new ManifestResult(cached.get(), CacheStatus.HIT));
    }
    if (readOnly(route)) {
      throw notCached(route, "manifest " + digest);
    }
    String key = route.upstreamName() + "@" + digest;
    return cache.served(route, fetchByDigest(route, digest, accept, credentials, key));
  }

  /**
   * A cached manifest by digest answered from memory alone (its record and bytes), or empty when
   * answering needs the disk or the upstream; never blocks.
   */
  public Optional<ManifestResult> byDigestFromMemory(Route route, Digest digest) {
    return cache
        .loadByDigestFromMemory(route, digest)
        .map(manifest -> cache.served(route, new ManifestResult(manifest, CacheStatus.HIT)));
  }

  private ManifestResult fetchByDigest(
      Route route, Digest digest, List<String> accept, CredentialsLookup credentials, String key) {
    return inFlight.run(
        key,
        () -> {
          Optional<Manifest> again = cache.loadByDigest(route, digest);
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
          cache.save(route, manifest);
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
    Optional<ManifestCache.Cached> cached = cache.loadByTag(route, tag, accept);
    if (readOnly(route)) {
      return cache.served(
          route,
          cached
              .map(c -> new ManifestResult(c.manifest(), CacheStatus.HIT))
              .orElseThrow(() -> notCached(route, "tag " + tag)));
    }
    if (cached.isPresent()) {
      Duration age = Duration.ofMillis(clock.millis() - cached.get().entry().checkedAtMillis());
      if (age.compareTo(route.rule().tagFreshness()) < 0) {
        return cache.served(route, new ManifestResult(cached.get().manifest(), CacheStatus.HIT));
      }
    }
    return cache.served(route, resolveTag(route, tag, accept, credentials));
  }

  private ManifestResult resolveTag(
      Route route, Tag tag, List<String> accept, CredentialsLookup credentials) {
    String key =
        route.upstreamName()
            + ":"
            + tag
            + " "
            + String.join(",", MediaTypes.upstreamAccept(accept));
    return inFlight.run(
        key,
        () -> {
          Optional<ManifestCache.Cached> current = cache.loadByTag(route, tag, accept);
          if (current.isEmpty()) {
            return fetchTag(route, tag, accept, credentials, null);
          }
          ManifestCache.Cached c = current.get();
          if (clock.millis() - c.entry().checkedAtMillis()
              < route.rule().tagFreshness().toMillis()) {
            return new ManifestResult(c.manifest(), CacheStatus.HIT);
          }
          return revalidate(route, tag, accept, credentials, c);
        });
  }

  private ManifestResult revalidate(
      Route route,
      Tag tag,
      List<String> accept,
      CredentialsLookup credentials,
      ManifestCache.Cached cached) {
    // Whether the HEAD answered: a failure after it (fetching a changed tag) is no failed
    // revalidation.
    boolean answered = false;
    try {
      ManifestHead head =
          client.headManifest(
              route.registry(),
              route.upstreamRepository(),
              tag,
              MediaTypes.upstreamAccept(accept),
              credentials.get());
      answered = true;
      if (cached.manifest().digest().equals(head.digest())) {
        TagRecord.Entry touched =
            new TagRecord.Entry(
                cached.entry().digest(), cached.entry().mediaType(), clock.millis());
        unchanged.increment();
        cache.putTag(route, tag, cached.record().with(touched));
        return new ManifestResult(cached.manifest(), CacheStatus.REVALIDATED);
      }
      changed.increment();
      return fetchTag(route, tag, accept, credentials, cached.manifest().digest());
    } catch (NotFoundException e) {
      if (!answered) {
        failed.increment();
      }
      if (!keepDeletedTags) {
        LOG.info(
            "{}:{} is gone upstream ({}); forgetting the cached tag (keepDeletedTags: false)",
            route.upstreamName(),
            tag,
            e.getMessage());
        cache.forgetTag(route, tag);
        missing.remember(route.registry().host(), route.upstreamRepository(), tag, e);
        throw e;
      }
      refuseIfTooStale(route, tag, cached, e);
      LOG.warn(
          "{}:{} is gone upstream ({}); serving the cached {} (stale)",
          route.upstreamName(),
          tag,
          e.getMessage(),
          cached.manifest().digest());
      return stale(route, cached);
    } catch (StorageException e) {
      throw e;
    } catch (ProxyException e) {
      if (!answered) {
        failed.increment();
      }
      refuseIfTooStale(route, tag, cached, e);
      // A back-off or an open circuit was logged once when it began; don't warn for every pull.
      if (RegistryClient.notCalled(e)) {
        LOG.debug(
            "{}:{} not revalidated ({}); serving the cached {} (stale)",
            route.upstreamName(),
            tag,
            e.getMessage(),
            cached.manifest().digest());
      } else {
        LOG.warn(
            "revalidating {}:{} failed ({}: {}); serving the cached {} (stale)",
            route.upstreamName(),
            tag,
            e.code(),
            e.getMessage(),
            cached.manifest().digest());
      }
      return stale(route, cached);
    }
  }

  private ManifestResult stale(Route route, ManifestCache.Cached cached) {
    String host = route.registry().host();
    staleServes.computeIfAbsent(host, h -> new LongAdder()).increment();
    staleCounters
        .computeIfAbsent(
            host,
            h ->
                Counter.builder("cacheproxy.stale.serves")
                    .description("Cached tags served stale because they could not be revalidated")
                    .tag("registry", h)
                    .register(meters))
        .increment();
    return new ManifestResult(cached.manifest(), CacheStatus.STALE);
  }

  /** How many times a cached tag was served stale since start, by registry host. */
  public Map<String, Long> staleServes() {
    Map<String, Long> counts = new TreeMap<>();
    staleServes.forEach((host, n) -> counts.put(host, n.sum()));
    return counts;
  }

  /** Rethrows the upstream's failure when the cached tag is older than the rule allows. */
  private void refuseIfTooStale(
      Route route, Tag tag, ManifestCache.Cached cached, ProxyException failure) {
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

  /**
   * Fetches a tag with a GET and caches it.
   *
   * @param revalidated the digest the tag was cached with, when a revalidation found it changed;
   *     null on a miss
   */
  private ManifestResult fetchTag(
      Route route,
      Tag tag,
      List<String> accept,
      CredentialsLookup credentials,
      @Nullable Digest revalidated) {
    String host = route.registry().host();
    Optional<NotFoundException> known = missing.recall(host, route.upstreamRepository(), tag);
    if (known.isPresent()) {
      throw known.get();
    }
    UpstreamManifest fetched;
    try {
      fetched =
          client.getManifest(
              route.registry(),
              route.upstreamRepository(),
              tag,
              MediaTypes.upstreamAccept(accept),
              credentials.get());
    } catch (NotFoundException e) {
      missing.remember(host, route.upstreamRepository(), tag, e);
      throw e;
    }
    Digest digest =
        fetched.digestHeader() != null ? fetched.digestHeader() : Digest.sha256(fetched.content());
    Manifest manifest = new Manifest(digest, fetched.mediaType(), fetched.content());
    if (cache.save(route, manifest)) {
      TagRecord record = cache.tag(route, tag).orElse(new TagRecord(List.of()));
      cache.putTag(
          route,
          tag,
          record.with(
              new TagRecord.Entry(digest.toString(), manifest.mediaType(), clock.millis())));
      reportIfUpdated(route, tag, record, manifest, revalidated);
    }
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

  /**
   * Reports {@code tag.updated} when the tag was not cached at all, or its resolution of the same
   * media type (or the one revalidated) had another digest. A tag resolved anew for a client that
   * accepts another media type is no update.
   */
  private void reportIfUpdated(
      Route route, Tag tag, TagRecord before, Manifest manifest, @Nullable Digest revalidated) {
    Digest previous = revalidated;
    if (previous == null) {
      for (TagRecord.Entry e : before.entries()) {
        if (e.mediaType().equals(manifest.mediaType())) {
          previous = parseOrNull(e.digest());
          break;
        }
      }
    }
    boolean first = before.entries().isEmpty();
    if (!first && (previous == null || previous.equals(manifest.digest()))) {
      return;
    }
    EventDispatcher.emit(
        events,
        new CacheEvent.TagUpdated(
            clock.instant(),
            route.registry().host(),
            route.upstreamRepository(),
            tag,
            previous,
            manifest.digest(),
            route.rule().name()));
  }

  private static @Nullable Digest parseOrNull(String digest) {
    try {
      return Digest.parse(digest);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static List<String> union(List<String> a, List<String> b) {
    Set<String> all = new LinkedHashSet<>(a);
    all.addAll(b);
    return List.copyOf(all);
  }
}
