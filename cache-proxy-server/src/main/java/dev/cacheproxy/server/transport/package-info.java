/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
/**
 * How the listeners accept connections: TLS from PEM files (reloaded when they change), HTTP/2,
 * IP allowlists and the limits that keep slow or idle clients from tying up the server.
 */
@NullMarked
package dev.cacheproxy.server.transport;

import org.jspecify.annotations.NullMarked;
