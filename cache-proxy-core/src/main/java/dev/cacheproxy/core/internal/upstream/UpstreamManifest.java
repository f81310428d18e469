/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import dev.cacheproxy.core.Digest;
import org.jspecify.annotations.Nullable;

/**
 * A manifest as an upstream returned it to a GET.
 *
 * @param content the body, at most 4 MiB
 * @param mediaType the Content-Type, without parameters
 * @param digestHeader the {@code Docker-Content-Digest} header, if sent
 */
// A transfer value read once by ManifestResolver; never compared or hashed.
@SuppressWarnings("ArrayRecordComponent")
public record UpstreamManifest(byte[] content, String mediaType, @Nullable Digest digestHeader) {}
