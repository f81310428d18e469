/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
/**
 * End-to-end tests against real software: the CNCF distribution registry ({@code docker-registry})
 * as the upstream and {@code skopeo} as the client, with the proxy in between.
 *
 * <p>Run them with {@code ./run-tests}, which installs both tools when they are missing.
 */
@NullMarked
package dev.cacheproxy.server.it;

import org.jspecify.annotations.NullMarked;
