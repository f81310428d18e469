/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
/**
 * The rule engine: maps the repository names clients pull (aliases such as {@code hub/library/nginx})
 * to upstream registries and repositories ({@code docker.io/library/nginx}).
 *
 * <p>Start with {@link dev.cacheproxy.rules.RuleSet#of(java.util.List)} and {@link
 * dev.cacheproxy.rules.RuleSet#route(RepositoryName)}.
 */
@NullMarked
package dev.cacheproxy.rules;

import org.jspecify.annotations.NullMarked;
