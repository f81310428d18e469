/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.core.UpstreamHealth;
import dev.cacheproxy.core.storage.StorageStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the server is ready to serve, as {@code /readyz} reports it: the storage (the data
 * directory takes a new file, and the cache reports its state) and the configuration (loaded, and
 * when) decide; the upstreams are reported but never make it unready, since the proxy serves from
 * its cache while they are down.
 *
 * <p>Concurrency: {@link #check()} may be called from any thread. The write probe (create and
 * delete a small file in the data directory) runs at most once per {@link #PROBE_INTERVAL}; its
 * result is kept under the object's lock, so concurrent checks share one probe.
 */
public final class Readiness {

  /** How long the result of the data directory's write probe is reused. */
  static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Logger LOG = LoggerFactory.getLogger(Readiness.class);

  private final CacheProxy proxy;
  private final Path dataDirectory;
  private final Supplier<Instant> configurationLoadedAt;
  private final Clock clock;

  // Guarded by this.
  private @Nullable Instant probedAt;
  private @Nullable String probeFailure;

  /**
   * Checks {@code proxy} and its data directory.
   *
   * @param dataDirectory the cache folder the proxy was built with
   * @param configurationLoadedAt when the configuration in force was (re)loaded
   */
  public Readiness(CacheProxy proxy, Path dataDirectory, Supplier<Instant> configurationLoadedAt) {
    this(proxy, dataDirectory, configurationLoadedAt, Clock.systemUTC());
  }

  Readiness(
      CacheProxy proxy, Path dataDirectory, Supplier<Instant> configurationLoadedAt, Clock clock) {
    this.proxy = proxy;
    this.dataDirectory = dataDirectory.toAbsolutePath().normalize();
    this.configurationLoadedAt = configurationLoadedAt;
    this.clock = clock;
  }

  /**
   * The result of a check.
   *
   * @param ready whether the server is ready: storage and configuration are up
   * @param body {@code {"status":"UP"|"DOWN","checks":{"storage":{..},"configuration":{..},
   *     "upstreams":[..]}}}
   */
  public record Report(boolean ready, ObjectNode body) {}

  /** Checks the storage and the configuration, and reports the upstreams' health. */
  public Report check() {
    ObjectNode body = MAPPER.createObjectNode();
    ObjectNode checks = MAPPER.createObjectNode();
    boolean storageUp = storage(checks.putObject("storage"));
    ObjectNode configuration = checks.putObject("configuration");
    configuration.put("status", "UP");
    configuration.put("loadedAt", configurationLoadedAt.get().toString());
    ArrayNode upstreams = checks.putArray("upstreams");
    try {
      upstreams(upstreams);
    } catch (RuntimeException e) {
      // reported, never decisive: a failure here must not fail the check
      upstreams.removeAll();
      LOG.debug("cannot report the upstreams' health", e);
    }
    body.put("status", storageUp ? "UP" : "DOWN");
    body.set("checks", checks);
    return new Report(storageUp, body);
  }

  private boolean storage(ObjectNode storage) {
    String failure = probe();
    StorageStatus status = null;
    if (failure == null) {
      try {
        status = proxy.storageStatus();
      } catch (RuntimeException e) {
        failure = "the cache cannot report its storage: " + e;
      }
    }
    storage.put("status", failure == null ? "UP" : "DOWN");
    if (status == null || status.usableBytes() == Long.MAX_VALUE) {
      storage.putNull("usableBytes");
    } else {
      storage.put("usableBytes", status.usableBytes());
    }
    storage.put("detail", failure == null ? dataDirectory + " is writable" : failure);
    return failure == null;
  }

  /** The write probe's failure, or null when it passed; probes again once the last is stale. */
  private synchronized @Nullable String probe() {
    Instant now = clock.instant();
    Instant last = probedAt;
    if (last != null && now.isBefore(last.plus(PROBE_INTERVAL)) && !now.isBefore(last)) {
      return probeFailure;
    }
    String failure = null;
    try {
      Path file = Files.createTempFile(dataDirectory, ".readyz-", ".tmp");
      Files.delete(file);
    } catch (IOException | RuntimeException e) {
      failure = "cannot write to " + dataDirectory + ": " + e;
    }
    probedAt = now;
    probeFailure = failure;
    return failure;
  }

  private void upstreams(ArrayNode upstreams) {
    for (UpstreamHealth health : proxy.upstreamHealth()) {
      ObjectNode entry = upstreams.addObject();
      entry.put("registry", health.registry());
      entry.put("available", health.available());
      ArrayNode endpoints = entry.putArray("endpoints");
      for (UpstreamHealth.Endpoint e : health.endpoints()) {
        ObjectNode endpoint = endpoints.addObject();
        endpoint.put("url", e.url().toString());
        endpoint.put("circuit", e.circuit().name());
        Instant backedOffUntil = e.backedOffUntil();
        endpoint.put("backedOffUntil", backedOffUntil == null ? null : backedOffUntil.toString());
      }
    }
  }
}
