/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.storage;

/**
 * Receives the progress of a long {@link CacheMaintenance} run, such as {@link
 * CacheMaintenance#verify}. Called from the thread doing the work, often (after every blob and
 * every buffer of a large one), so implementations should be cheap and decide themselves how often
 * to show anything.
 */
@FunctionalInterface
public interface ProgressListener {

  /** A listener that ignores the progress. */
  ProgressListener NONE = (blobsDone, blobsTotal, bytesDone, bytesTotal) -> {};

  /**
   * Reports how far the run is.
   *
   * @param blobsDone how many blobs are done
   * @param blobsTotal how many blobs the run will go through
   * @param bytesDone how many bytes are done
   * @param bytesTotal how many bytes the run will go through
   */
  void progress(long blobsDone, long blobsTotal, long bytesDone, long bytesTotal);
}
