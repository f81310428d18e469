/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One page of an upstream's tag list.
 *
 * @param tags the tags on this page
 * @param nextLast the {@code last} parameter of the next page, from the {@code Link} header, or
 *     null on the last page
 */
public record TagPage(List<String> tags, @Nullable String nextLast) {

  /** Copies the list. */
  public TagPage {
    tags = List.copyOf(tags);
  }
}
