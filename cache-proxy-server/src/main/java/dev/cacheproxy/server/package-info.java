/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
/**
 * The standalone cache-proxy server: {@link dev.cacheproxy.server.ProxyServer} serves a {@link
 * dev.cacheproxy.core.CacheProxy} over the OCI distribution API, and {@link
 * dev.cacheproxy.server.Main} runs it from the command line.
 */
@NullMarked
package dev.cacheproxy.server;

import org.jspecify.annotations.NullMarked;
