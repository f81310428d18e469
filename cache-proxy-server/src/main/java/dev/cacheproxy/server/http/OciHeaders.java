/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import dev.cacheproxy.server.logging.RequestId;
import io.undertow.util.HttpString;

/** The headers of the distribution API and of the proxy that Undertow has no constant for. */
final class OciHeaders {

  /** Sent on every response, as the distribution registry does. */
  static final HttpString API_VERSION = new HttpString("Docker-Distribution-API-Version");

  /** The value of {@link #API_VERSION}. */
  static final String API_VERSION_VALUE = "registry/2.0";

  /** The digest of a manifest or blob. */
  static final HttpString CONTENT_DIGEST = new HttpString("Docker-Content-Digest");

  /**
   * How the response was produced: {@code HIT}, {@code MISS}, {@code REVALIDATED} or {@code STALE}.
   */
  static final HttpString X_CACHE = new HttpString("X-Cache");

  /**
   * The request id: taken from the client when it is a sane token, else made up; sent back on every
   * response and written in the log lines of the request.
   */
  static final HttpString X_REQUEST_ID = new HttpString(RequestId.HEADER);

  /** The next page of a paged list, as {@code <url>; rel="next"}. */
  static final HttpString LINK = new HttpString("Link");

  private OciHeaders() {}
}
