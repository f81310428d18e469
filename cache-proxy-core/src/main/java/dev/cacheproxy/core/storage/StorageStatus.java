/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.storage;

/**
 * The live state of a running cache's storage.
 *
 * @param settings the limits it runs with
 * @param usedBytes the total size of the stored blobs
 * @param blobs how many blobs are stored
 * @param usableBytes the free space of the file system holding them ({@link Long#MAX_VALUE} if
 *     unknown)
 * @param evictions how many images were evicted since start
 * @param evictedBytes how many bytes of blobs evictions deleted since start
 * @param leasedBlobs how many blobs are being read or filled right now (never evicted)
 */
public record StorageStatus(
    StorageSettings settings,
    long usedBytes,
    long blobs,
    long usableBytes,
    long evictions,
    long evictedBytes,
    int leasedBlobs) {}
