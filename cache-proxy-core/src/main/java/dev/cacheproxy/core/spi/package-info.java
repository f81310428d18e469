/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
/** Service-provider interfaces: where blobs are stored and where upstream credentials come from. */
@NullMarked
package dev.cacheproxy.core.spi;

import org.jspecify.annotations.NullMarked;
