/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.storage;

/**
 * How much the cache may store and when it evicts.
 *
 * <p>When the blobs take more than {@code highWatermark × maxSize}, or the file system has less
 * than {@code minFreeSpace} free, the least recently pulled images are evicted in the background
 * until the blobs take less than {@code lowWatermark × maxSize} and twice {@code minFreeSpace} is
 * free (or nothing evictable is left). A write that fails for lack of space ({@code ENOSPC}) starts
 * an eviction too.
 *
 * @param maxSize the most bytes of blobs to keep; 0 for no limit
 * @param highWatermark the fraction of {@code maxSize} above which eviction starts, in (0, 1]
 * @param lowWatermark the fraction of {@code maxSize} eviction brings usage under, in (0, {@code
 *     highWatermark}]
 * @param minFreeSpace evict when the file system has less free space than this; 0 to watch only
 *     {@code maxSize} (and {@code ENOSPC})
 * @param accessTracking whether pulls record their time for least-recently-used eviction; without
 *     it, images are evicted oldest-cached first
 */
public record StorageSettings(
    long maxSize,
    double highWatermark,
    double lowWatermark,
    long minFreeSpace,
    boolean accessTracking) {

  /** No size limit, watermarks 0.9 and 0.8, 1 GiB free-space floor, access tracking on. */
  public static final StorageSettings DEFAULTS = new StorageSettings(0, 0.9, 0.8, 1L << 30, true);

  /**
   * Validates the settings.
   *
   * @throws IllegalArgumentException naming the setting
   */
  public StorageSettings {
    if (maxSize < 0) {
      throw new IllegalArgumentException("storage.maxSize must not be negative");
    }
    if (!(highWatermark > 0 && highWatermark <= 1)) {
      throw new IllegalArgumentException(
          "storage.highWatermark must be above 0 and at most 1, not " + highWatermark);
    }
    if (!(lowWatermark > 0 && lowWatermark <= highWatermark)) {
      throw new IllegalArgumentException(
          "storage.lowWatermark must be above 0 and at most highWatermark ("
              + highWatermark
              + "), not "
              + lowWatermark);
    }
    if (minFreeSpace < 0) {
      throw new IllegalArgumentException("storage.minFreeSpace must not be negative");
    }
  }

  /** These settings with another size limit (0 for none). */
  public StorageSettings withMaxSize(long maxSize) {
    return new StorageSettings(maxSize, highWatermark, lowWatermark, minFreeSpace, accessTracking);
  }

  /** These settings with access tracking on or off. */
  public StorageSettings withAccessTracking(boolean accessTracking) {
    return new StorageSettings(maxSize, highWatermark, lowWatermark, minFreeSpace, accessTracking);
  }

  /** These settings with another free-space floor (0 for none). */
  public StorageSettings withMinFreeSpace(long minFreeSpace) {
    return new StorageSettings(maxSize, highWatermark, lowWatermark, minFreeSpace, accessTracking);
  }

  /** Whether usage above {@code highWatermark × maxSize} starts an eviction. */
  public boolean bounded() {
    return maxSize > 0;
  }

  /** The usage, in bytes, above which eviction starts; {@link Long#MAX_VALUE} without a limit. */
  public long highBytes() {
    return bounded() ? (long) (maxSize * highWatermark) : Long.MAX_VALUE;
  }

  /**
   * The usage, in bytes, eviction brings the cache under; {@link Long#MAX_VALUE} without a limit.
   */
  public long lowBytes() {
    return bounded() ? (long) (maxSize * lowWatermark) : Long.MAX_VALUE;
  }
}
