/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import dev.cacheproxy.core.Digest;
import org.jspecify.annotations.Nullable;

/**
 * What an upstream answered to a manifest HEAD.
 *
 * @param digest the {@code Docker-Content-Digest} header, if sent
 * @param mediaType the Content-Type, without parameters
 * @param size the Content-Length, or -1
 */
public record ManifestHead(@Nullable Digest digest, String mediaType, long size) {}
