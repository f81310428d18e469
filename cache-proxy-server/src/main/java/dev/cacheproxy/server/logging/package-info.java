/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
/**
 * How cache-proxy logs: {@link dev.cacheproxy.server.logging.LogSetup} switches every log line
 * between {@link dev.cacheproxy.server.logging.LogFormat#TEXT text} and {@link
 * dev.cacheproxy.server.logging.LogFormat#JSON JSON}, and {@link
 * dev.cacheproxy.server.logging.RequestId} names each request in its log lines.
 */
@NullMarked
package dev.cacheproxy.server.logging;

import org.jspecify.annotations.NullMarked;
