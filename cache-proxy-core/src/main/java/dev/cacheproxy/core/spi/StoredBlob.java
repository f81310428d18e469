/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.spi;

import dev.cacheproxy.core.Digest;
import java.nio.file.Path;

/**
 * A complete, verified blob in a {@link BlobStore}.
 *
 * @param digest its digest
 * @param size its size in bytes
 * @param path the file holding it; never modified once committed
 */
public record StoredBlob(Digest digest, long size, Path path) {}
