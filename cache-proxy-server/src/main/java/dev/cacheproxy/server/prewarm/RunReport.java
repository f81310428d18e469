/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.prewarm;

import java.time.Instant;
import java.util.List;

/**
 * What one run of a pre-warm job did.
 *
 * @param job the job's name
 * @param started when the run started
 * @param finished when the run finished
 * @param result how it ended
 * @param warmed the images now cached
 * @param failed the images that failed, each with its error
 * @param skipped the images not started because the window closed or the scheduler was closed
 * @param bytesFetched the bytes fetched from upstreams (blobs already cached count nothing)
 */
public record RunReport(
    String job,
    Instant started,
    Instant finished,
    RunResult result,
    List<PrewarmImage> warmed,
    List<String> failed,
    List<PrewarmImage> skipped,
    long bytesFetched) {

  /** Copies the lists. */
  public RunReport {
    warmed = List.copyOf(warmed);
    failed = List.copyOf(failed);
    skipped = List.copyOf(skipped);
  }
}
