/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
/**
 * The end-to-end load runner: cache-proxy against a real upstream registry behind an emulated
 * distant link, side by side with the references (the upstream directly, the distribution registry
 * in proxy mode, nginx {@code proxy_cache} and nginx {@code sendfile}) in one run; start it with
 * {@code benchmarks/scripts/load.sh} (see {@code benchmarks/README.md}).
 */
@NullMarked
package dev.cacheproxy.benchmarks.load;

import org.jspecify.annotations.NullMarked;
