/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
/** Internal to cache-proxy-core; no compatibility is promised. */
@NullMarked
package dev.cacheproxy.core.internal.events;

import org.jspecify.annotations.NullMarked;
