/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.rules;

/**
 * A request named a registry with {@code ?ns=} that is not in the {@code registries:} list, so it
 * may not be pulled from; nothing was contacted. The message says how to allow it.
 */
public final class NamespaceDeniedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String namespace;
  private final String message;

  NamespaceDeniedException(String namespace) {
    this(namespace, message(namespace));
  }

  private NamespaceDeniedException(String namespace, String message) {
    super(message);
    this.namespace = namespace;
    this.message = message;
  }

  /** Why the request was refused and how to allow it; never null. */
  @Override
  public String getMessage() {
    return message;
  }

  /** The {@code ns} value as the client sent it (shortened if it was very long). */
  public String namespace() {
    return namespace;
  }

  private static String message(String namespace) {
    String shown = namespace.length() > 100 ? namespace.substring(0, 100) + "…" : namespace;
    boolean host;
    try {
      Registry.of(namespace);
      host = true;
    } catch (IllegalArgumentException e) {
      host = false;
    }
    return host
        ? "registry '"
            + shown
            + "' (from ?ns=) is not in this proxy's registries list; to mirror it, add"
            + " `registries: {\""
            + shown
            + "\": {}}` to the proxy's configuration"
        : "ns '" + shown + "' is not a registry host name";
  }
}
