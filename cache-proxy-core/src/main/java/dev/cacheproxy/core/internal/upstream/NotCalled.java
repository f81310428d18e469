/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

/**
 * The cause of an {@link dev.cacheproxy.core.UpstreamException} for a call the proxy did not make:
 * the registry asked it to wait ({@code Retry-After}), its circuit is open, or its bulkhead or rate
 * limit is full. Such failures are never retried and never count against a circuit breaker; {@link
 * RegistryClient#notCalled} tells them apart from failures of calls that were made.
 */
final class NotCalled extends RuntimeException {
  private static final long serialVersionUID = 1L;

  NotCalled(String why) {
    super(why, null, false, false);
  }
}
