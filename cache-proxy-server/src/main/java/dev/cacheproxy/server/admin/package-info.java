/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
/**
 * The admin listener: {@link dev.cacheproxy.server.admin.AdminServer} serves Prometheus metrics
 * ({@code /metrics}), liveness ({@code /healthz}) and readiness ({@code /readyz}) on a port of its
 * own, apart from the registry API.
 */
@NullMarked
package dev.cacheproxy.server.admin;

import org.jspecify.annotations.NullMarked;
