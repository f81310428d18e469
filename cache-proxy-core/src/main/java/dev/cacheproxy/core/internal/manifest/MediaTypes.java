/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.manifest;

import java.util.List;

/** The manifest media types the proxy knows, and how a client's Accept list is matched. */
public final class MediaTypes {

  /** OCI image index. */
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";

  /** OCI image manifest. */
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

  /** Docker manifest list (schema 2). */
  public static final String DOCKER_LIST =
      "application/vnd.docker.distribution.manifest.list.v2+json";

  /** Docker image manifest (schema 2). */
  public static final String DOCKER_MANIFEST =
      "application/vnd.docker.distribution.manifest.v2+json";

  /** Every manifest type asked for upstream when the client accepts anything. */
  public static final List<String> ALL =
      List.of(OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST);

  private MediaTypes() {}

  /** Whether a client sending {@code accept} can take {@code mediaType}. No Accept means any. */
  public static boolean acceptable(String mediaType, List<String> accept) {
    if (accept.isEmpty()) {
      return true;
    }
    for (String a : accept) {
      if (a.equals(mediaType) || a.equals("*/*") || a.equals("application/*")) {
        return true;
      }
    }
    return false;
  }

  /** What to ask the upstream for on behalf of a client sending {@code accept}. */
  public static List<String> upstreamAccept(List<String> accept) {
    if (accept.isEmpty() || accept.contains("*/*")) {
      return ALL;
    }
    return List.copyOf(accept);
  }
}
