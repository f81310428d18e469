/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.admin;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.ProxyException;
import dev.cacheproxy.core.Reference;
import dev.cacheproxy.core.Tag;
import dev.cacheproxy.rules.RepositoryName;
import org.jspecify.annotations.Nullable;

/**
 * An image as a client of the proxy names it: {@code hub/library/nginx}, {@code
 * hub/library/nginx:1.27} or {@code hub/library/nginx@sha256:…} (a digest wins over a tag given as
 * well, as {@code docker pull} does).
 *
 * @param repository the repository, as the proxy's clients name it
 * @param reference the tag or digest; null when the text names none
 */
public record ImageName(RepositoryName repository, @Nullable Reference reference) {

  /**
   * Parses {@code NAME[:TAG|@DIGEST]}.
   *
   * @throws ProxyException {@code NAME_INVALID} for a bad repository name, {@code MANIFEST_INVALID}
   *     for a bad tag and {@code DIGEST_INVALID} for a bad digest
   */
  public static ImageName parse(String text) {
    String name = text.trim();
    Reference reference = null;
    int at = name.indexOf('@');
    if (at >= 0) {
      reference = Digest.parse(name.substring(at + 1));
      name = name.substring(0, at);
    }
    int colon = name.lastIndexOf(':');
    if (colon > name.lastIndexOf('/')) {
      Tag tag = Tag.parse(name.substring(colon + 1));
      if (reference == null) {
        reference = tag;
      }
      name = name.substring(0, colon);
    }
    return new ImageName(repository(name), reference);
  }

  /**
   * Parses a repository name.
   *
   * @throws ProxyException {@code NAME_INVALID} for a bad one
   */
  public static RepositoryName repository(String name) {
    try {
      return RepositoryName.of(name);
    } catch (IllegalArgumentException e) {
      throw new ProxyException(OciErrorCode.NAME_INVALID, String.valueOf(e.getMessage()));
    }
  }

  /** {@code name:tag}, {@code name@digest} or {@code name}. */
  @Override
  public String toString() {
    Reference r = reference;
    if (r == null) {
      return repository.value();
    }
    return repository.value() + (r instanceof Digest ? "@" : ":") + r;
  }
}
