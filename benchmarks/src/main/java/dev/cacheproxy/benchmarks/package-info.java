/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
/** JMH benchmarks of the hot paths; run them from {@code benchmarks/target/benchmarks.jar}. */
@NullMarked
package dev.cacheproxy.benchmarks;

import org.jspecify.annotations.NullMarked;
