/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
/**
 * Who may pull what: client authentication (anonymous, htpasswd basic, the Docker registry token
 * flow with signed JWTs) and authorization by scope maps, as configured under {@code auth:}.
 */
@NullMarked
package dev.cacheproxy.server.auth;

import org.jspecify.annotations.NullMarked;
