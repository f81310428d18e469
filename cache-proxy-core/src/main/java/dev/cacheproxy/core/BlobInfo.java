/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

/**
 * What a {@code HEAD} of a blob reports.
 *
 * @param digest the blob's digest
 * @param size its size in bytes
 * @param status whether it is cached
 */
public record BlobInfo(Digest digest, long size, CacheStatus status) {}
