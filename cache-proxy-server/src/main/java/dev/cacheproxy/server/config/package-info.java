/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
/**
 * The server's YAML configuration: {@link dev.cacheproxy.server.config.ProxyConfig} reads,
 * validates and turns it into a {@link dev.cacheproxy.core.CacheProxy}.
 */
@NullMarked
package dev.cacheproxy.server.config;

import org.jspecify.annotations.NullMarked;
