/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.prewarm;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The state of one pre-warm job, for an admin endpoint.
 *
 * @param name the job's name
 * @param nextRun when it runs next; null when its schedule has no further run or the scheduler is
 *     closed
 * @param lastRun when its last run started; null before the first run
 * @param lastResult how its last run ended; null before the first run ends
 * @param lastError the first error of its last run, or why it skipped images; null when none
 * @param running whether a run is going on now
 */
public record JobStatus(
    String name,
    @Nullable Instant nextRun,
    @Nullable Instant lastRun,
    @Nullable RunResult lastResult,
    @Nullable String lastError,
    boolean running) {}
