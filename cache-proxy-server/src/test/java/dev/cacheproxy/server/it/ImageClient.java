/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

/**
 * A real container client that pulls images into a store of its own: {@link Dockerd}, {@link
 * Containerd} (with ctr) or {@link Podman}. Each method runs the client's own command.
 */
interface ImageClient {

  /** Pulls {@code ref}, whatever the outcome. */
  CommandRunner.Result pull(String ref);

  /** Removes the image {@code ref} and what only it uses, whatever the outcome. */
  CommandRunner.Result removeImage(String ref);

  /**
   * Whether the client still has {@code ref}; containerd, whose content outlives an image until it
   * is collected, counts any content left in its store too.
   */
  boolean hasImage(String ref);
}
