/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
/**
 * The read side of the OCI distribution API over Undertow: {@link
 * dev.cacheproxy.server.http.RegistryHandler} routes {@code /v2/} requests to a {@link
 * dev.cacheproxy.core.CacheProxy}.
 */
@NullMarked
package dev.cacheproxy.server.http;

import org.jspecify.annotations.NullMarked;
