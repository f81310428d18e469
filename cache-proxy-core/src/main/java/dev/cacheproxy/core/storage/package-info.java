/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
/**
 * The cache's storage as operators see it: {@link dev.cacheproxy.core.storage.StorageSettings}
 * (size limit, watermarks, free-space floor, access tracking) and the maintenance of a data
 * directory (verify, garbage collection, usage).
 */
@NullMarked
package dev.cacheproxy.core.storage;

import org.jspecify.annotations.NullMarked;
