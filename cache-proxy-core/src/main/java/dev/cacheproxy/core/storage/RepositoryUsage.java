/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.storage;

import dev.cacheproxy.rules.RepositoryName;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What one upstream repository holds in the cache.
 *
 * @param registry the registry host, such as {@code docker.io}
 * @param repository the repository at that registry
 * @param rule the rule it was last pulled through, or null if unknown (never pulled since the cache
 *     started recording it)
 * @param manifests how many manifests (images, platform images and indexes) are cached
 * @param bytes the size of every blob its manifests reference, counting a blob shared with other
 *     repositories in each of them
 * @param exclusiveBytes the size of the blobs only this repository references: what evicting it
 *     would free
 * @param lastPull when a client last pulled one of its manifests, or null if never recorded
 */
public record RepositoryUsage(
    String registry,
    RepositoryName repository,
    @Nullable String rule,
    int manifests,
    long bytes,
    long exclusiveBytes,
    @Nullable Instant lastPull) {

  /** The last pull time, if one was recorded. */
  public Optional<Instant> lastPullTime() {
    return Optional.ofNullable(lastPull);
  }
}
