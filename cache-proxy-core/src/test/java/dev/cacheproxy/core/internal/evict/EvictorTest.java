/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.evict;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.internal.evict.BlobLeases.Lease;
import dev.cacheproxy.core.internal.evict.TestCache.Image;
import dev.cacheproxy.core.internal.manifest.RepositoryIndex.ManifestRecord;
import dev.cacheproxy.core.testing.TestClock;
import dev.cacheproxy.rules.Registry;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Eviction passes over a real store and index: order, sharing, leases, retention, indexes. */
class EvictorTest {

  private static final int LAYER = 10_000;

  @TempDir Path dir;
  private final TestClock clock = new TestClock();

  private TestCache cache(boolean accessTracking) {
    return new TestCache(dir, clock, accessTracking);
  }

  @Test
  void evictNow_threeImages_evictsLeastRecentlyPulledUntilUnderLowWatermark() {
    TestCache cache = cache(true);
    Image a = cache.image("plain/a", "plain", LAYER);
    clock.advance(Duration.ofMinutes(1));
    Image b = cache.image("plain/b", "plain", LAYER);
    clock.advance(Duration.ofMinutes(1));
    Image c = cache.image("plain/c", "plain", LAYER);
    clock.advance(Duration.ofMinutes(1));
    cache.pull(a, "plain");
    long total = cache.ledger.usedBytes();
    long maxSize = TestCache.maxSizeForLow(total - LAYER / 2);
    Evictor evictor = cache.evictor(maxSize);

    evictor.evictNow();

    assertThat(cache.recorded(b)).isFalse();
    assertThat(b.blobs()).noneMatch(cache::stored);
    assertThat(cache.cached(a)).isTrue();
    assertThat(cache.cached(c)).isTrue();
    assertThat(cache.ledger.usedBytes())
        .isLessThanOrEqualTo(TestCache.settings(maxSize).lowBytes());
    assertThat(evictor.evictions()).isEqualTo(1);
    assertThat(evictor.evictedBytes()).isEqualTo(total - cache.ledger.usedBytes());
  }

  @Test
  void evictNow_manyImages_endsUnderLowWatermarkEvictingOldestOnly() {
    TestCache cache = cache(true);
    Image[] images = new Image[10];
    for (int i = 0; i < images.length; i++) {
      images[i] = cache.image("plain/app" + i, "plain", LAYER);
      clock.advance(Duration.ofMinutes(1));
    }
    long maxSize = TestCache.maxSizeForLow(cache.ledger.usedBytes() * 6 / 10);
    Evictor evictor = cache.evictor(maxSize);

    evictor.evictNow();

    assertThat(cache.ledger.usedBytes())
        .isLessThanOrEqualTo(TestCache.settings(maxSize).lowBytes());
    int evicted = (int) evictor.evictions();
    assertThat(evicted).isEqualTo(4);
    for (int i = 0; i < images.length; i++) {
      assertThat(cache.cached(images[i])).as("image %d", i).isEqualTo(i >= evicted);
    }
  }

  @Test
  void evictNow_layerSharedWithRetainedImage_survives() {
    TestCache cache = cache(true);
    Digest shared = cache.blob(LAYER);
    Digest onlyA = cache.blob(LAYER);
    Digest onlyB = cache.blob(LAYER);
    Image a = cache.imageOf("plain/a", "plain", java.util.List.of(shared, onlyA));
    clock.advance(Duration.ofMinutes(1));
    Image b = cache.imageOf("plain/b", "plain", java.util.List.of(shared, onlyB));
    Evictor evictor = cache.evictor(TestCache.maxSizeForLow(cache.ledger.usedBytes() - LAYER));

    evictor.evictNow();

    assertThat(cache.recorded(a)).isFalse();
    assertThat(cache.stored(onlyA)).isFalse();
    assertThat(cache.stored(shared)).isTrue();
    assertThat(cache.cached(b)).isTrue();
  }

  @Test
  void evictNow_orphansGoFirst_evenWhenRecentlyUsed() {
    TestCache cache = cache(true);
    Image old = cache.image("plain/old", "plain", LAYER);
    clock.advance(Duration.ofHours(1));
    Digest orphan = cache.blob(LAYER);
    Evictor evictor = cache.evictor(TestCache.maxSizeForLow(cache.ledger.usedBytes() - LAYER));

    evictor.evictNow();

    assertThat(cache.stored(orphan)).isFalse();
    assertThat(cache.cached(old)).isTrue();
    assertThat(evictor.evictions()).isZero();
    assertThat(evictor.evictedBytes()).isEqualTo(LAYER);
  }

  @Test
  void evictNow_leasedBlob_keptUntilReleasedThenDeletedByALaterPass() {
    TestCache cache = cache(true);
    Image image = cache.image("plain/app", "plain", LAYER);
    Digest layer = image.blobs().get(0);
    Evictor evictor = cache.evictor(1);
    Lease lease = cache.ledger.acquire(layer);

    evictor.evictNow();

    assertThat(cache.recorded(image)).isFalse();
    assertThat(cache.stored(image.manifest())).isFalse();
    assertThat(cache.stored(layer)).isTrue();
    assertThat(cache.ledger.usedBytes()).isEqualTo(LAYER);
    assertThat(cache.ledger.leasedBlobs()).isEqualTo(1);

    lease.close();
    evictor.evictNow();

    assertThat(cache.stored(layer)).isFalse();
    assertThat(cache.ledger.usedBytes()).isZero();
    assertThat(cache.ledger.leasedBlobs()).isZero();
  }

  @Test
  void evictNow_retention_keepForUntilExpiredAndPinnedForever() {
    TestCache cache = cache(true);
    Image kept = cache.image("keep/app", "keep", LAYER);
    Image pinned = cache.image("pin/app", "pin", LAYER);
    clock.advance(Duration.ofMinutes(1));
    Image plain = cache.image("plain/app", "plain", LAYER);
    clock.advance(Duration.ofMinutes(30));
    Evictor evictor = cache.evictor(1);

    evictor.evictNow();

    assertThat(cache.recorded(plain)).isFalse();
    assertThat(cache.cached(kept)).isTrue();
    assertThat(cache.cached(pinned)).isTrue();

    clock.advance(Duration.ofHours(1));
    evictor.evictNow();

    assertThat(cache.recorded(kept)).isFalse();
    assertThat(cache.cached(pinned)).isTrue();
    assertThat(cache.ledger.usedBytes()).isPositive();
  }

  @Test
  void evictNow_index_goesWithItsChildren_whileARetainedIndexKeepsThem() {
    TestCache cache = cache(true);
    Image amd = cache.image("plain/multi", "plain", LAYER);
    Image arm = cache.image("plain/multi", "plain", LAYER);
    Image multi = cache.index("plain/multi", "plain", amd, arm);
    Image pinnedAmd = cache.image("pin/multi", "plain", LAYER);
    Image pinnedArm = cache.image("pin/multi", "plain", LAYER);
    Image pinned = cache.index("pin/multi", "pin", pinnedAmd, pinnedArm);
    clock.advance(Duration.ofDays(1));
    cache.pull(amd, "plain");
    Evictor evictor = cache.evictor(1);

    evictor.evictNow();

    assertThat(cache.recorded(multi)).isFalse();
    assertThat(cache.recorded(amd)).isFalse();
    assertThat(cache.recorded(arm)).isFalse();
    assertThat(multi.blobs()).noneMatch(cache::stored);
    assertThat(evictor.evictions()).isEqualTo(1);
    assertThat(cache.cached(pinned)).isTrue();
    assertThat(cache.cached(pinnedAmd)).isTrue();
    assertThat(cache.cached(pinnedArm)).isTrue();
  }

  @Test
  void evictNow_childPulledRecently_keepsItsIndexAheadOfOlderImages() {
    TestCache cache = cache(true);
    Image child = cache.image("plain/multi", "plain", LAYER);
    Image multi = cache.index("plain/multi", "plain", child);
    clock.advance(Duration.ofMinutes(1));
    Image other = cache.image("plain/other", "plain", LAYER);
    clock.advance(Duration.ofMinutes(1));
    cache.pull(child, "plain");
    Evictor evictor = cache.evictor(TestCache.maxSizeForLow(cache.ledger.usedBytes() - LAYER));

    evictor.evictNow();

    assertThat(cache.recorded(other)).isFalse();
    assertThat(cache.cached(multi)).isTrue();
  }

  @Test
  void evictNow_withoutAccessTracking_evictsFirstCachedFirst() {
    TestCache cache = cache(false);
    Image first = cache.image("plain/first", "plain", LAYER);
    clock.advance(Duration.ofMinutes(1));
    Image second = cache.image("plain/second", "plain", LAYER);
    clock.advance(Duration.ofMinutes(1));
    cache.pull(first, "plain");
    Evictor evictor = cache.evictor(TestCache.maxSizeForLow(cache.ledger.usedBytes() - LAYER));

    evictor.evictNow();

    assertThat(cache.recorded(first)).isFalse();
    assertThat(cache.cached(second)).isTrue();
  }

  @Test
  void evictNow_underLowWatermark_doesNothing() {
    TestCache cache = cache(true);
    Image image = cache.image("plain/app", "plain", LAYER);
    cache.blob(LAYER);
    Evictor evictor = cache.evictor(TestCache.maxSizeForLow(cache.ledger.usedBytes()));

    evictor.evictNow();

    assertThat(cache.cached(image)).isTrue();
    assertThat(cache.ledger.blobs().orphans()).hasSize(1);
    assertThat(evictor.evictedBytes()).isZero();
  }

  @Test
  void tick_periodicCheck_evictsAboveHighWatermarkAndFlushesEveryThirtySeconds() {
    TestCache cache = cache(true);
    Image old = cache.image("plain/old", "plain", LAYER);
    clock.advance(Duration.ofMinutes(1));
    Image recent = cache.image("plain/recent", "plain", LAYER);
    Evictor evictor = cache.evictor(cache.ledger.usedBytes() * 100 / 95);
    clock.advance(Duration.ofSeconds(10));
    cache.pull(recent, "plain");

    evictor.tick(false);

    assertThat(cache.recorded(old)).isFalse();
    assertThat(lastPulled(cache, recent)).isNotEqualTo(clock.millis());
    clock.advance(Duration.ofSeconds(30));
    evictor.tick(false);
    assertThat(lastPulled(cache, recent)).isEqualTo(clock.millis() - 30_000);
  }

  @Test
  void close_flushesChangedPullTimesAndRules() {
    TestCache cache = cache(true);
    Image image = cache.image("plain/app", "plain", LAYER);
    clock.advance(Duration.ofMinutes(5));
    cache.pull(image, "keep");
    Evictor evictor = cache.evictor(0);

    evictor.close();

    ManifestRecord record =
        cache
            .index
            .manifest(Registry.of(TestCache.HOST), image.repository(), image.manifest())
            .orElseThrow();
    assertThat(record.lastPulledMillis()).isEqualTo(clock.millis());
    assertThat(record.rule()).isEqualTo("keep");
    assertThat(evictor.flush()).isZero();
  }

  private static long lastPulled(TestCache cache, Image image) {
    return cache
        .index
        .manifest(Registry.of(TestCache.HOST), image.repository(), image.manifest())
        .orElseThrow()
        .lastPulledMillis();
  }
}
