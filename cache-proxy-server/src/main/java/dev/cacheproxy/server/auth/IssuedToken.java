/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.auth;

import java.time.Duration;
import java.time.Instant;

/**
 * A signed JWT the token endpoint hands out.
 *
 * @param token the compact JWT
 * @param issuedAt when it was issued
 * @param expiresIn how long it is valid
 */
public record IssuedToken(String token, Instant issuedAt, Duration expiresIn) {}
