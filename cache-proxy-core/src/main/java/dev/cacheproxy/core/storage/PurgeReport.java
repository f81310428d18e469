/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.storage;

/**
 * What a purge removed.
 *
 * @param target what was purged, such as {@code docker.io/library/nginx:1.27}
 * @param manifests the manifest records removed
 * @param tags the tags removed or changed
 * @param blobs the blobs deleted (blobs other cached images use stay)
 * @param bytes the bytes those blobs took
 */
public record PurgeReport(String target, int manifests, int tags, int blobs, long bytes) {}
