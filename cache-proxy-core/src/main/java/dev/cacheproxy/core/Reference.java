/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

/** What a manifest request names after {@code /manifests/}: a {@link Tag} or a {@link Digest}. */
public sealed interface Reference permits Tag, Digest {

  /**
   * Parses a tag or, when the text holds a colon, a digest.
   *
   * @throws ProxyException with {@code DIGEST_INVALID} for a malformed digest and {@code
   *     MANIFEST_INVALID} for a malformed tag
   */
  static Reference parse(String text) {
    return text.indexOf(':') >= 0 ? Digest.parse(text) : Tag.parse(text);
  }
}
