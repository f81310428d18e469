/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.auth;

import dev.cacheproxy.core.OciErrorCode;
import org.jspecify.annotations.Nullable;

/** The answer of {@link AccessControl#check}: go ahead, or refuse with a status and challenge. */
public sealed interface Verdict {

  /** The principal the request was made by, anonymous when it had no (valid) credentials. */
  Principal principal();

  /**
   * The request may proceed.
   *
   * @param principal who made it
   */
  record Allowed(Principal principal) implements Verdict {}

  /**
   * The request is refused: {@code 401 UNAUTHORIZED} (no, wrong or insufficient credentials) or
   * {@code 403 DENIED} (signed in, but not allowed). The message names the repository the client
   * asked for, never whether it or a tag exists, and never a credential.
   *
   * @param principal who made it
   * @param code {@link OciErrorCode#UNAUTHORIZED} or {@link OciErrorCode#DENIED}
   * @param message the error message for the client
   * @param challenge the {@code WWW-Authenticate} value to send, or null for none
   */
  record Refused(Principal principal, OciErrorCode code, String message, @Nullable String challenge)
      implements Verdict {}
}
