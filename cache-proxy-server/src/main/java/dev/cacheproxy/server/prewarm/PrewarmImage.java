/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.prewarm;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.Reference;
import dev.cacheproxy.core.Tag;
import dev.cacheproxy.rules.RepositoryName;

/**
 * One image a job warms, named as a client pulls it through the proxy: {@code
 * hub/library/nginx:1.27} or {@code k8s/pause@sha256:…}.
 *
 * @param repository the repository as the client names it
 * @param reference the tag or digest
 */
public record PrewarmImage(RepositoryName repository, Reference reference) {

  /**
   * Parses {@code name:tag} or {@code name@digest}. A name without a tag or digest is refused
   * rather than read as {@code latest}.
   *
   * @throws IllegalArgumentException or {@link dev.cacheproxy.core.ProxyException} naming what is
   *     wrong
   */
  public static PrewarmImage parse(String text) {
    int at = text.indexOf('@');
    if (at >= 0) {
      return new PrewarmImage(
          RepositoryName.of(text.substring(0, at)), Digest.parse(text.substring(at + 1)));
    }
    int colon = text.lastIndexOf(':');
    if (colon < 0 || colon < text.lastIndexOf('/')) {
      throw new IllegalArgumentException(
          "'" + text + "' names no tag or digest; write name:tag or name@digest");
    }
    return new PrewarmImage(
        RepositoryName.of(text.substring(0, colon)), Tag.parse(text.substring(colon + 1)));
  }

  /** The image as written: {@code name:tag} or {@code name@digest}. */
  @Override
  public String toString() {
    return repository + (reference instanceof Digest ? "@" : ":") + reference;
  }
}
