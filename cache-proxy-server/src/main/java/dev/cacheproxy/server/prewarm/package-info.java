/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
/**
 * Scheduled pre-warm: {@link dev.cacheproxy.server.prewarm.PrewarmScheduler} runs each {@link
 * dev.cacheproxy.server.prewarm.PrewarmJob} on its cron schedule, inside its optional time window,
 * pulling the job's images into the cache before clients ask for them.
 */
@NullMarked
package dev.cacheproxy.server.prewarm;

import org.jspecify.annotations.NullMarked;
