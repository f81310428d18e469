/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.logging;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * The id that ties a request's log lines together: the client's {@code X-Request-Id} when it is a
 * sane token, else a fresh one. It is sent back in {@code X-Request-Id}, written in the access log
 * line, and kept in the SLF4J MDC under {@link #MDC_KEY} while the request is served, so that every
 * line logged on its behalf carries it.
 */
public final class RequestId {

  /** The request and response header. */
  public static final String HEADER = "X-Request-Id";

  /** The MDC key, and the JSON field, that hold the id. */
  public static final String MDC_KEY = "requestId";

  /** The longest client id that is accepted. */
  static final int MAX_LENGTH = 64;

  private static final HexFormat HEX = HexFormat.of();

  private RequestId() {}

  /**
   * Returns {@code fromClient} if it is 1 to 64 characters of {@code [A-Za-z0-9._-]}, else a new id
   * from {@link #generate()}. Anything else (spaces, quotes, control characters, overlong values)
   * is dropped so that it cannot forge or break log lines.
   */
  public static String acceptOrGenerate(@Nullable String fromClient) {
    return fromClient != null && isAcceptable(fromClient) ? fromClient : generate();
  }

  /** Whether {@code id} is 1 to 64 characters of {@code [A-Za-z0-9._-]}. */
  public static boolean isAcceptable(@Nullable String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** A new id: 16 random lowercase hex digits (64 bits), cheap to make on any thread. */
  public static String generate() {
    return HEX.toHexDigits(ThreadLocalRandom.current().nextLong());
  }
}
