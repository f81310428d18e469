/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

import dev.cacheproxy.core.events.CacheEvent;
import dev.cacheproxy.core.events.CacheEventListener;
import dev.cacheproxy.core.events.WebhookTarget;
import dev.cacheproxy.core.internal.events.EventDispatcher;
import dev.cacheproxy.core.internal.evict.CacheLedger;
import dev.cacheproxy.core.internal.evict.Evictor;
import dev.cacheproxy.core.internal.evict.Purger;
import dev.cacheproxy.core.internal.evict.TrackingBlobStore;
import dev.cacheproxy.core.internal.fetch.BlobFetcher;
import dev.cacheproxy.core.internal.fetch.BlobFetcher.BlobSource;
import dev.cacheproxy.core.internal.manifest.ManifestResolver;
import dev.cacheproxy.core.internal.manifest.RepositoryIndex;
import dev.cacheproxy.core.internal.store.DataDirectoryLock;
import dev.cacheproxy.core.internal.store.FileSystemBlobStore;
import dev.cacheproxy.core.internal.upstream.RegistryClient;
import dev.cacheproxy.core.internal.upstream.TagPage;
import dev.cacheproxy.core.internal.upstream.UpstreamBlob;
import dev.cacheproxy.core.internal.webhook.WebhookSender;
import dev.cacheproxy.core.spi.BlobStore;
import dev.cacheproxy.core.spi.CredentialSource;
import dev.cacheproxy.core.spi.Credentials;
import dev.cacheproxy.core.spi.StoredBlob;
import dev.cacheproxy.core.storage.PurgeReport;
import dev.cacheproxy.core.storage.StorageSettings;
import dev.cacheproxy.core.storage.StorageStatus;
import dev.cacheproxy.core.storage.UsageReport;
import dev.cacheproxy.rules.NamespaceDeniedException;
import dev.cacheproxy.rules.Registry;
import dev.cacheproxy.rules.RepositoryName;
import dev.cacheproxy.rules.Route;
import dev.cacheproxy.rules.Rule;
import dev.cacheproxy.rules.RulePolicy;
import dev.cacheproxy.rules.RuleSet;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pull-through cache for container registries, embeddable without the server.
 *
 * <p>Each request names a repository as the client sees it ({@code hub/library/nginx}); the {@link
 * RuleSet} routes it to an upstream ({@code docker.io/library/nginx}). Manifests by tag are served
 * from the cache while fresh and revalidated with a HEAD afterwards; manifests by digest and blobs
 * are immutable and fetched from the upstream at most once, however many clients ask at the same
 * time, while being streamed to all of them.
 *
 * <pre>{@code
 * try (CacheProxy proxy = CacheProxy.builder()
 *     .rules(RuleSet.of(List.of(Rule.of("hub", "hub/*", "docker.io/*"))))
 *     .dataDirectory(Path.of("cache"))
 *     .build()) {
 *   ManifestResult m = proxy.manifest(RepositoryName.of("hub/library/alpine"), Tag.parse("3.20"), List.of());
 *   try (BlobStream blob = proxy.blob(RepositoryName.of("hub/library/alpine"), someLayerDigest);
 *       InputStream in = blob.open(0)) {
 *     in.transferTo(out);
 *   }
 * }
 * }</pre>
 *
 * <p>The cache stays within its {@link StorageSettings}: when it grows past the high watermark, or
 * the disk runs short of space, a background thread evicts the least recently pulled images (a
 * manifest or index with the blobs no other cached image needs), never a blob being read. A proxy
 * locks its data directory: a second proxy (or a {@code gc}) on the same directory is refused while
 * it runs.
 *
 * <p>Instances are thread-safe; methods block on the upstream and the disk, so call them from
 * worker (ideally virtual) threads.
 */
public final class CacheProxy implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(CacheProxy.class);
  private static final int MAX_TAG_PAGES = 1000;
  private static final int CLOSE_WAIT_SECONDS = 5;

  /** The rules and credentials, swapped together by {@link #update}. */
  private volatile Settings settings;

  private final ConcurrentHashMap<String, LongAdder> matches = new ConcurrentHashMap<>();
  private final DataDirectoryLock lock;
  private final StorageSettings storage;
  private final UpstreamSettings upstream;
  private final RepositoryIndex index;
  private final CacheLedger ledger;
  private final Evictor evictor;
  private final BlobStore store;
  private final RegistryClient client;
  private final ManifestResolver manifests;
  private final BlobFetcher fetcher;
  private final ExecutorService fillExecutor;
  private final ProxyMetrics metrics;
  private final Clock clock;
  private final EventDispatcher events;
  private final @Nullable WebhookSender webhooks;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Opens the cache in a locked data directory: recovers its state, then starts its threads. */
  private CacheProxy(
      Builder b, Path dataDirectory, DataDirectoryLock lock, @Nullable WebhookSender webhooks) {
    this.lock = lock;
    this.clock = b.clock;
    this.webhooks = webhooks;
    List<CacheEventListener> listeners = new ArrayList<>(b.listeners);
    if (webhooks != null) {
      listeners.add(webhooks);
    }
    this.events = new EventDispatcher(listeners);
    this.settings = new Settings(Objects.requireNonNull(b.rules), b.credentials);
    this.storage = b.storage;
    this.upstream = b.upstream;
    this.metrics = new ProxyMetrics(b.meterRegistry);
    BlobStore blobs =
        b.blobStore != null ? b.blobStore : new FileSystemBlobStore(dataDirectory.resolve("blobs"));
    this.index = new RepositoryIndex(dataDirectory.resolve("repositories"));
    this.ledger = CacheLedger.recover(blobs, index, b.clock, storage.accessTracking());
    this.evictor = new Evictor(ledger, index, storage, this::rules, b.clock, events);
    this.store = new TrackingBlobStore(ledger, evictor::onCommit);
    this.client = new RegistryClient(b.upstream, b.clock, b.meterRegistry, events);
    this.manifests =
        new ManifestResolver(
            client,
            store,
            index,
            b.clock,
            ledger,
            evictor::wake,
            b.upstream.notFoundCacheTime(),
            b.upstream.keepDeletedTags(),
            b.meterRegistry,
            events);
    this.fillExecutor =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("fill-", 0).factory());
    this.fetcher =
        new BlobFetcher(
            store,
            fillExecutor,
            ledger,
            evictor::wake,
            b.upstream.blobResumeAttempts(),
            b.meterRegistry,
            this::filled);
    registerGauges();
    evictor.start();
  }

  /**
   * Registers the gauges and function counters over the proxy's state (fills, storage, eviction);
   * they hold the parts they read weakly and {@link #close()} removes them.
   */
  private void registerGauges() {
    metrics.gauge(
        "cacheproxy.fills.active",
        "Blob fills in flight",
        fetcher,
        BlobFetcher::fillsInFlight,
        null);
    metrics.functionCounter(
        "cacheproxy.fill.resumes",
        "Ranged requests resuming broken blob fills",
        fetcher,
        BlobFetcher::resumes,
        null);
    metrics.gauge(
        "cacheproxy.storage.used.bytes",
        "Bytes of blobs stored",
        ledger,
        CacheLedger::usedBytes,
        "bytes");
    if (storage.bounded()) {
      metrics.gauge(
          "cacheproxy.storage.limit.bytes",
          "The most bytes of blobs kept (storage.maxSize)",
          storage,
          StorageSettings::maxSize,
          "bytes");
    }
    metrics.gauge(
        "cacheproxy.storage.blobs", "Blobs stored", ledger, CacheLedger::storedBlobs, null);
    metrics.functionCounter(
        "cacheproxy.evictions", "Blobs deleted by eviction", evictor, Evictor::evictions, null);
    metrics.functionCounter(
        "cacheproxy.evicted.bytes",
        "Bytes of blobs deleted by eviction",
        evictor,
        Evictor::evictedBytes,
        "bytes");
  }

  /** Reports a blob fill that committed, when it was fetched along a route. */
  private void filled(Digest digest, long size, BlobSource source) {
    if (events.isEmpty() || !(source instanceof UpstreamBlobSource upstream)) {
      return;
    }
    Route route = upstream.route;
    events.onEvent(
        new CacheEvent.CacheFill(
            clock.instant(),
            route.registry().host(),
            route.upstreamRepository(),
            digest,
            size,
            route.rule().name()));
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Resolves a manifest or index by tag or digest.
   *
   * @param name the repository as the client named it
   * @param reference a tag or digest
   * @param accept the media types the client accepts (its {@code Accept} header values); empty for
   *     any
   * @throws ProxyException {@code NAME_UNKNOWN} when no rule matches, {@code MANIFEST_UNKNOWN} when
   *     neither the cache nor the upstream has it, or the upstream's failure when it cannot be
   *     reached and nothing is cached
   */
  public ManifestResult manifest(RepositoryName name, Reference reference, List<String> accept) {
    return manifest(routeFor(ProxyMetrics.Kind.MANIFEST, name), reference, accept);
  }

  /**
   * Resolves a manifest or index by tag or digest along a route found by {@link #route(
   * RepositoryName, String)}.
   *
   * @see #manifest(RepositoryName, Reference, List)
   */
  public ManifestResult manifest(Route route, Reference reference, List<String> accept) {
    ManifestResult result;
    try {
      List<String> acceptCopy = List.copyOf(accept);
      result =
          switch (reference) {
            case Digest digest ->
                manifests.byDigest(route, digest, acceptCopy, () -> credentials(route));
            case Tag tag -> {
              checkTagAllowed(route, tag);
              yield manifests.byTag(route, tag, acceptCopy, () -> credentials(route));
            }
          };
    } catch (RuntimeException e) {
      metrics.failed(ProxyMetrics.Kind.MANIFEST, route.rule().name(), e);
      throw e;
    }
    metrics.answered(ProxyMetrics.Kind.MANIFEST, result.status(), route.rule().name());
    return result;
  }

  /**
   * Answers a manifest by digest from memory alone, for callers on an event loop that must not
   * block: empty when the answer needs the disk or the upstream, and then {@link #manifest(Route,
   * Reference, List)} answers it. A manifest served or cached lately is in memory (up to 8 MiB of
   * them). Counted and recorded as pulled like {@code manifest(..)} when it answers.
   */
  public Optional<ManifestResult> manifestFromMemory(Route route, Digest digest) {
    Optional<ManifestResult> result = manifests.byDigestFromMemory(route, digest);
    result.ifPresent(
        r -> metrics.answered(ProxyMetrics.Kind.MANIFEST, r.status(), route.rule().name()));
    return result;
  }

  /**
   * Opens a blob: the verified cached file, or a stream of a fill that reads the bytes as they
   * arrive from the upstream. Concurrent calls for one digest share one upstream download, which
   * continues when callers close their streams early. The caller closes the stream.
   *
   * @throws ProxyException {@code BLOB_UNKNOWN} when the upstream does not have it, or the
   *     upstream's failure before the first byte
   */
  public BlobStream blob(RepositoryName name, Digest digest) {
    return blob(routeFor(ProxyMetrics.Kind.BLOB, name), digest);
  }

  /**
   * Opens a blob along a route found by {@link #route(RepositoryName, String)}. Blobs are shared by
   * digest across repositories and registries; a miss is fetched from the route's registry.
   *
   * @see #blob(RepositoryName, Digest)
   */
  public BlobStream blob(Route route, Digest digest) {
    // Only a miss calls the source, so a cached blob never looks up credentials.
    BlobSource source =
        readOnly(route)
            ? offset -> {
              throw notCachedReadOnly(route, OciErrorCode.BLOB_UNKNOWN, "blob " + digest);
            }
            : new UpstreamBlobSource(route, digest);
    BlobStream stream;
    try {
      stream = fetcher.open(digest, source);
    } catch (RuntimeException e) {
      metrics.failed(ProxyMetrics.Kind.BLOB, route.rule().name(), e);
      throw e;
    }
    metrics.answered(ProxyMetrics.Kind.BLOB, stream.status(), route.rule().name());
    return stream;
  }

  /** The size of a blob and whether it is cached, for a {@code HEAD} request. */
  public BlobInfo blobInfo(RepositoryName name, Digest digest) {
    return blobInfo(routeFor(ProxyMetrics.Kind.BLOB, name), digest);
  }

  /** The size of a blob and whether it is cached, along a route found by {@link #route}. */
  public BlobInfo blobInfo(Route route, Digest digest) {
    BlobInfo info;
    try {
      info = lookUpBlobInfo(route, digest);
    } catch (RuntimeException e) {
      metrics.failed(ProxyMetrics.Kind.BLOB, route.rule().name(), e);
      throw e;
    }
    metrics.answered(ProxyMetrics.Kind.BLOB, info.status(), route.rule().name());
    return info;
  }

  private BlobInfo lookUpBlobInfo(Route route, Digest digest) {
    Optional<StoredBlob> cached = storedBlob(digest);
    if (cached.isPresent()) {
      return new BlobInfo(digest, cached.get().size(), CacheStatus.HIT);
    }
    OptionalLong filling = fetcher.sizeInFlight(digest);
    if (filling.isPresent() && filling.getAsLong() >= 0) {
      return new BlobInfo(digest, filling.getAsLong(), CacheStatus.MISS);
    }
    if (readOnly(route)) {
      throw notCachedReadOnly(route, OciErrorCode.BLOB_UNKNOWN, "blob " + digest);
    }
    long size =
        client.headBlob(route.registry(), route.upstreamRepository(), digest, credentials(route));
    return new BlobInfo(digest, size, CacheStatus.MISS);
  }

  /**
   * One page of a repository's tags: the upstream's list merged with the cached tags, in lexical
   * order. When the upstream cannot be asked, the cached tags are listed.
   *
   * @param limit the most tags to return
   * @param last return only tags after this one, or null to start at the beginning
   */
  public TagList tags(RepositoryName name, int limit, @Nullable String last) {
    return tags(routeFor(ProxyMetrics.Kind.TAGS, name), limit, last);
  }

  /** One page of the tags of the repository a route found by {@link #route} leads to. */
  public TagList tags(Route route, int limit, @Nullable String last) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative");
    }
    RepositoryName name = route.clientRepository();
    TreeSet<String> all;
    CacheStatus status;
    try {
      all = new TreeSet<>(index.tags(route.registry(), route.upstreamRepository()));
      if (readOnly(route)) {
        if (all.isEmpty()) {
          throw notCachedReadOnly(route, OciErrorCode.NAME_UNKNOWN, "the tag list");
        }
        status = CacheStatus.HIT;
      } else {
        status = addUpstreamTags(route, all) ? CacheStatus.MISS : CacheStatus.STALE;
      }
    } catch (RuntimeException e) {
      metrics.failed(ProxyMetrics.Kind.TAGS, route.rule().name(), e);
      throw e;
    }
    metrics.answered(ProxyMetrics.Kind.TAGS, status, route.rule().name());
    all.removeIf(tag -> !route.rule().policy().allowsTag(tag));
    List<String> after = new ArrayList<>(last == null ? all : all.tailSet(last, false));
    boolean more = after.size() > limit;
    return new TagList(name, more ? after.subList(0, limit) : after, more);
  }

  /** Every cached repository under each name clients can pull it by, sorted. */
  public List<RepositoryName> catalog() {
    RuleSet current = settings.rules();
    return index.repositories().stream()
        .flatMap(r -> current.aliasesFor(Registry.of(r.registry()), r.repository()).stream())
        .distinct()
        .sorted()
        .collect(Collectors.toList());
  }

  /**
   * The registry this proxy records its metrics in (set with {@link Builder#meterRegistry}), so
   * that an embedding server can register its own meters next to them. Counters and timers stay in
   * it after {@link #close()}; the gauges and function counters over the proxy's state are removed
   * then.
   */
  public MeterRegistry meterRegistry() {
    return metrics.registry();
  }

  /** The rules this proxy routes by now. */
  public RuleSet rules() {
    return settings.rules();
  }

  /**
   * Replaces the rules and the credential sets together, atomically: every request routed after
   * this returns uses the new ones; requests in flight finish with the route they resolved.
   */
  public void update(RuleSet rules, CredentialSource credentials) {
    this.settings =
        new Settings(
            Objects.requireNonNull(rules, "rules"),
            Objects.requireNonNull(credentials, "credentials"));
  }

  /**
   * How each upstream registry called since start is doing: the circuit of each endpoint, back-offs
   * after rate limits, open calls, and how often a cached tag was served stale because it could not
   * be revalidated. Read from memory; cheap enough for every health check.
   */
  public List<UpstreamHealth> upstreamHealth() {
    Map<String, Long> stale = manifests.staleServes();
    List<UpstreamHealth> health = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (UpstreamHealth h : client.health()) {
      seen.add(h.registry());
      health.add(h.withStaleServes(stale.getOrDefault(h.registry(), 0L)));
    }
    stale.forEach((host, count) -> {
      if (!seen.contains(host)) {
        UpstreamResilience r = upstream.resilienceFor(host);
        health.add(new UpstreamHealth(host, List.of(), 0, r.maxConcurrentRequests(), count));
      }
    });
    health.sort(Comparator.comparing(UpstreamHealth::registry));
    return List.copyOf(health);
  }

  /**
   * The live state of the cache's storage: its limits, how much it stores, the free space, and how
   * much eviction has removed since start.
   */
  public StorageStatus storageStatus() {
    return new StorageStatus(
        storage,
        ledger.usedBytes(),
        ledger.storedBlobs(),
        ledger.usableSpace(),
        evictor.evictions(),
        evictor.evictedBytes(),
        ledger.leasedBlobs());
  }

  /**
   * How the cache's space is used now, per upstream repository (largest first), with the blobs no
   * cached manifest references. Computed from memory, without reading the disk.
   */
  public UsageReport storageUsage() {
    return ledger.usageReport();
  }

  /**
   * Runs one eviction pass now and waits for it: orphan blobs first, then the least recently pulled
   * images that their rules do not retain, until usage is at most the low watermark and twice
   * {@link StorageSettings#minFreeSpace()} is free, or nothing evictable is left. Blobs being read
   * are kept (a later pass deletes them). Without a size limit or free-space floor, there is
   * nothing to do.
   *
   * @return the storage status after the pass
   */
  public StorageStatus evict() {
    evictor.evictNow();
    return storageStatus();
  }

  /**
   * Purges cached content now, whatever the retention rules say: the whole repository {@code name}
   * routes to when {@code reference} is null, else the manifests a tag resolves to (and the tag),
   * or one manifest by digest, each with the platform manifests and blobs no other cached image
   * uses. The next pull fetches them again. Blobs being read are deleted once released, by a later
   * eviction pass or {@code gc}.
   *
   * @throws ProxyException NAME_UNKNOWN when no rule routes {@code name}
   */
  public PurgeReport purge(RepositoryName name, @Nullable Reference reference) {
    Route route = route(name);
    return new Purger(ledger, index, events, clock)
        .purge(route.registry(), route.upstreamRepository(), reference);
  }

  /** How many requests each rule has routed since start, by rule name. */
  public Map<String, Long> ruleMatches() {
    Map<String, Long> counts = new TreeMap<>();
    matches.forEach((name, adder) -> counts.put(name, adder.sum()));
    return counts;
  }

  /**
   * Routes a client's repository name to its upstream.
   *
   * @throws NotFoundException {@code NAME_UNKNOWN} when no rule matches
   */
  public Route route(RepositoryName name) {
    return route(name, null);
  }

  /**
   * Routes a client's repository name to its upstream, for a request that may name its registry
   * with {@code ?ns=} (as containerd does through a mirror); see {@link RuleSet#route(
   * RepositoryName, String)}. Counts the match.
   *
   * @param namespace the registry the client pulls from, or null when it did not say
   * @throws ProxyException {@code DENIED} when {@code namespace} is not in the registries list or
   *     the rule is disabled
   * @throws NotFoundException {@code NAME_UNKNOWN} when no rule matches
   */
  public Route route(RepositoryName name, @Nullable String namespace) {
    Route route = match(name, namespace);
    checkEnabled(route);
    return route;
  }

  /**
   * Routes a request method's repository name as {@link #route(RepositoryName)} does, counting a
   * failure as a request of {@code kind} that ended in an error (rule {@value ProxyMetrics#NO_RULE}
   * when no rule matched).
   */
  private Route routeFor(ProxyMetrics.Kind kind, RepositoryName name) {
    Route route;
    try {
      route = match(name, null);
    } catch (RuntimeException e) {
      metrics.failed(kind, ProxyMetrics.NO_RULE, e);
      throw e;
    }
    try {
      checkEnabled(route);
    } catch (RuntimeException e) {
      metrics.failed(kind, route.rule().name(), e);
      throw e;
    }
    return route;
  }

  /** The route of a name, counted as a match of its rule, whether the rule is enabled or not. */
  private Route match(RepositoryName name, @Nullable String namespace) {
    RuleSet rules = settings.rules();
    Optional<Route> found;
    try {
      found = rules.route(name, namespace);
    } catch (NamespaceDeniedException e) {
      throw new ProxyException(OciErrorCode.DENIED, e.getMessage());
    }
    Route route =
        found.orElseThrow(() ->
            new NotFoundException(
                OciErrorCode.NAME_UNKNOWN,
                "repository '"
                    + name
                    + "' matches no cache rule (targets: "
                    + rules.rules().stream().map(Rule::target).collect(Collectors.joining(", "))
                    + ")"));
    matches.computeIfAbsent(route.rule().name(), k -> new LongAdder()).increment();
    return route;
  }

  private static void checkEnabled(Route route) {
    if (route.rule().policy().mode() == RulePolicy.Mode.DISABLED) {
      throw new ProxyException(
          OciErrorCode.DENIED,
          "repository '"
              + route.clientRepository()
              + "' is served by rule '"
              + route.rule().name()
              + "', which is disabled");
    }
  }

  /**
   * Stops fetching: new fills are refused, fills in flight get up to {@value #CLOSE_WAIT_SECONDS}
   * seconds to finish (a fill cut short leaves only a temporary file, removed at the next start),
   * then the upstream connections are closed, eviction stops, the last-pull times are written and
   * the data directory is unlocked. Webhook targets get up to 2 s to take the events still queued
   * for them. Closing twice does nothing more.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    fetcher.close();
    fillExecutor.shutdown();
    try {
      if (!fillExecutor.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
        LOG.warn(
            "{} blob fills still running after {} s; stopping them",
            fetcher.fillsInFlight(),
            CLOSE_WAIT_SECONDS);
        fillExecutor.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fillExecutor.shutdownNow();
    } finally {
      try {
        client.close();
      } finally {
        metrics.close();
        evictor.close();
        try {
          if (webhooks != null) {
            webhooks.close();
          }
        } finally {
          unlock(lock);
        }
      }
    }
  }

  private static void unlock(DataDirectoryLock lock) {
    try {
      lock.close();
    } catch (IOException e) {
      LOG.warn("cannot release the data directory lock: {}", e.toString());
    }
  }

  /**
   * Adds the upstream's tags; when it cannot be asked, keeps the cached ones if there are any.
   *
   * @return whether the upstream listed the tags; false when the cached ones are listed instead
   */
  private boolean addUpstreamTags(Route route, Set<String> all) {
    try {
      String from = null;
      for (int page = 0; page < MAX_TAG_PAGES; page++) {
        TagPage tags =
            client.listTags(
                route.registry(), route.upstreamRepository(), 0, from, credentials(route));
        all.addAll(tags.tags());
        from = tags.nextLast();
        if (from == null) {
          break;
        }
      }
      return true;
    } catch (ProxyException e) {
      if (all.isEmpty()) {
        throw e;
      }
      LOG.warn(
          "listing tags of {} upstream failed ({}); listing the cached tags",
          route.upstreamName(),
          e.getMessage());
      return false;
    }
  }

  private static void checkTagAllowed(Route route, Tag tag) {
    if (!route.rule().policy().allowsTag(tag.value())) {
      throw new ProxyException(
          OciErrorCode.DENIED,
          "tag '"
              + tag
              + "' of "
              + route.clientRepository()
              + " is excluded by rule '"
              + route.rule().name()
              + "' (tagInclude/tagExclude)");
    }
  }

  private static boolean readOnly(Route route) {
    return route.rule().policy().mode() == RulePolicy.Mode.READ_ONLY;
  }

  private static NotFoundException notCachedReadOnly(Route route, OciErrorCode code, Object what) {
    return new NotFoundException(
        code,
        what
            + " of "
            + route.clientRepository()
            + " is not cached, and rule '"
            + route.rule().name()
            + "' is read-only (it never contacts "
            + route.registry()
            + ")");
  }

  /** Fetches a blob along a route, sending {@code If-Range} when a fill resumes. */
  private final class UpstreamBlobSource implements BlobSource {
    private final Route route;
    private final Digest digest;

    UpstreamBlobSource(Route route, Digest digest) {
      this.route = route;
      this.digest = digest;
    }

    @Override
    public UpstreamBlob open(long offset) {
      return open(offset, null);
    }

    @Override
    public UpstreamBlob open(long offset, @Nullable String ifRange) {
      return client.getBlob(
          route.registry(),
          route.upstreamRepository(),
          digest,
          offset,
          ifRange,
          credentials(route));
    }
  }

  /** The rules and the credential sets they name, replaced together. */
  private record Settings(RuleSet rules, CredentialSource credentials) {}

  private Optional<StoredBlob> storedBlob(Digest digest) {
    try {
      return store.get(digest);
    } catch (IOException e) {
      throw new StorageException("cannot read cached blob " + digest, e);
    }
  }

  private @Nullable Credentials credentials(Route route) {
    String set = route.rule().credentials();
    if (set == null) {
      return null;
    }
    return settings
        .credentials()
        .credentials(set)
        .orElseThrow(() ->
            new ProxyException(
                OciErrorCode.UNAVAILABLE,
                "rule '"
                    + route.rule().name()
                    + "' names credential set '"
                    + set
                    + "', which is not configured"));
  }

  /**
   * Builds a {@link CacheProxy}. Fails fast with a message naming the setting; {@link #build()}
   * returns a thread-safe proxy.
   */
  public static final class Builder {
    private @Nullable RuleSet rules;
    private @Nullable Path dataDirectory;
    private @Nullable BlobStore blobStore;
    private CredentialSource credentials = CredentialSource.none();
    private UpstreamSettings upstream = UpstreamSettings.DEFAULTS;
    private StorageSettings storage = StorageSettings.DEFAULTS;

    private Clock clock = Clock.systemUTC();
    private MeterRegistry meterRegistry = new CompositeMeterRegistry();
    private final List<CacheEventListener> listeners = new ArrayList<>();
    private List<WebhookTarget> webhooks = List.of();

    private Builder() {}

    /** The rules that route repositories to upstreams (required). */
    public Builder rules(RuleSet rules) {
      this.rules = Objects.requireNonNull(rules, "rules");
      return this;
    }

    /** The folder holding the cache: blobs and metadata (required). */
    public Builder dataDirectory(Path dataDirectory) {
      this.dataDirectory = Objects.requireNonNull(dataDirectory, "dataDirectory");
      return this;
    }

    /**
     * Where blobs are stored; defaults to a {@code blobs} folder in the data directory. The cache
     * lists it once at start and counts what it commits and deletes through it afterwards.
     */
    public Builder blobStore(BlobStore blobStore) {
      this.blobStore = Objects.requireNonNull(blobStore, "blobStore");
      return this;
    }

    /** Where the rules' named credential sets come from; defaults to none. */
    public Builder credentials(CredentialSource credentials) {
      this.credentials = Objects.requireNonNull(credentials, "credentials");
      return this;
    }

    /**
     * Timeouts and connection limits for upstream calls; defaults to {@link
     * UpstreamSettings#DEFAULTS}.
     */
    public Builder upstream(UpstreamSettings upstream) {
      this.upstream = Objects.requireNonNull(upstream, "upstream");
      return this;
    }

    /**
     * The size limit, watermarks and access tracking of the cache; defaults to {@link
     * StorageSettings#DEFAULTS} (no size limit).
     */
    public Builder storage(StorageSettings storage) {
      this.storage = Objects.requireNonNull(storage, "storage");
      return this;
    }

    /**
     * The clock tag freshness, last-pull times, retention, upstream back-offs and remembered 404s
     * are measured with; defaults to the system clock.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Where the proxy records its metrics (requests by kind, result and rule; upstream calls;
     * fills; storage); defaults to an empty composite registry, which records nothing. The names
     * are listed in the README's metrics section.
     */
    public Builder meterRegistry(MeterRegistry registry) {
      this.meterRegistry = Objects.requireNonNull(registry, "meterRegistry");
      return this;
    }

    /**
     * Adds a listener for the {@link CacheEvent}s of the proxy (blob fills, evictions and purges,
     * updated tags, upstream circuits opening and closing); may be called several times. Each
     * listener is called on the thread where the event happens and must not block; an exception it
     * throws is logged, never passed to a client.
     */
    public Builder eventListener(CacheEventListener listener) {
      listeners.add(Objects.requireNonNull(listener, "eventListener"));
      return this;
    }

    /**
     * Where to POST the proxy's {@link CacheEvent}s as signed JSON; defaults to none. Each target
     * gets its own bounded queue (the oldest event is dropped when it is full) and delivery thread,
     * so that a slow or dead receiver never slows a pull; failed deliveries are retried with
     * backoff up to the target's {@link WebhookTarget#maxAttempts()}. Replaces the targets set
     * before.
     */
    public Builder webhooks(List<WebhookTarget> targets) {
      Objects.requireNonNull(targets, "webhooks");
      for (WebhookTarget target : targets) {
        Objects.requireNonNull(target, "webhooks: a target is null");
      }
      this.webhooks = List.copyOf(targets);
      return this;
    }

    /**
     * Creates the proxy: locks the data directory, creates its folders, recovers the cache's state
     * from them (removing what a crash left behind), and starts the upstream connection pool and
     * the background eviction.
     *
     * @throws IllegalStateException naming a required setting that is missing
     * @throws StorageException if another proxy (in this process or another) holds the data
     *     directory, or the cache's files cannot be read
     */
    public CacheProxy build() {
      if (rules == null) {
        throw new IllegalStateException("CacheProxy.builder(): rules(..) is required");
      }
      if (dataDirectory == null) {
        throw new IllegalStateException("CacheProxy.builder(): dataDirectory(..) is required");
      }
      DataDirectoryLock lock = DataDirectoryLock.acquire(dataDirectory);
      WebhookSender sender = null;
      try {
        sender = webhooks.isEmpty() ? null : new WebhookSender(webhooks, meterRegistry);
        return new CacheProxy(this, dataDirectory, lock, sender);
      } catch (RuntimeException | Error e) {
        if (sender != null) {
          sender.close();
        }
        unlock(lock);
        throw e;
      }
    }
  }
}
