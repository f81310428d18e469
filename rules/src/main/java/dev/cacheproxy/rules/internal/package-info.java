/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
/**
 * Matchers behind {@link dev.cacheproxy.rules.RuleSet}. Nothing here promises compatibility: use
 * {@code RuleSet} instead.
 */
@NullMarked
package dev.cacheproxy.rules.internal;

import org.jspecify.annotations.NullMarked;
