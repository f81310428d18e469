/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.auth;

/** What a request asks to use, as {@link AccessControl#check} decides on it. */
public sealed interface Resource {

  /**
   * {@code GET /v2/}: needs valid credentials (or any valid token) unless the mode is anonymous.
   */
  record Base() implements Resource {}

  /**
   * A repository's manifests, blobs or tags.
   *
   * @param name the repository name as the client sent it, such as {@code hub/library/alpine}
   * @param action what the request does with it
   */
  record Repository(String name, Action action) implements Resource {}

  /** {@code GET /v2/_catalog}: allowed to every signed-in principal, filtered by its scope maps. */
  record Catalog() implements Resource {}

  /**
   * The admin API, the status page and the {@code /_cache-proxy/} endpoints: only principals named
   * in {@code auth.admins}.
   */
  record Admin() implements Resource {}
}
