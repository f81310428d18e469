/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

import dev.cacheproxy.rules.RepositoryName;
import java.util.List;

/**
 * One page of a repository's tags.
 *
 * @param name the repository, as the client named it
 * @param tags the tags, in lexical order
 * @param more whether tags follow the last one on this page
 */
public record TagList(RepositoryName name, List<String> tags, boolean more) {

  /** Copies the list. */
  public TagList {
    tags = List.copyOf(tags);
  }
}
