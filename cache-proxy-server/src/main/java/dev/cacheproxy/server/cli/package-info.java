/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
/**
 * The command line: {@link dev.cacheproxy.server.cli.ServeCommand} loads a configuration and serves
 * it.
 */
@NullMarked
package dev.cacheproxy.server.cli;

import org.jspecify.annotations.NullMarked;
