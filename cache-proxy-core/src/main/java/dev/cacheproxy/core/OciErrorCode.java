/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

/**
 * The error codes of the OCI distribution specification, each with the HTTP status it is sent with.
 */
public enum OciErrorCode {
  BLOB_UNKNOWN(404, "blob unknown to registry"),
  BLOB_UPLOAD_INVALID(400, "blob upload invalid"),
  BLOB_UPLOAD_UNKNOWN(404, "blob upload unknown to registry"),
  DIGEST_INVALID(400, "provided digest did not match uploaded content"),
  MANIFEST_BLOB_UNKNOWN(404, "manifest references a manifest or blob unknown to registry"),
  MANIFEST_INVALID(400, "manifest invalid"),
  MANIFEST_UNKNOWN(404, "manifest unknown to registry"),
  NAME_INVALID(400, "invalid repository name"),
  NAME_UNKNOWN(404, "repository name not known to registry"),
  PAGINATION_NUMBER_INVALID(400, "invalid number of results requested"),
  SIZE_INVALID(400, "provided length did not match content length"),
  UNAUTHORIZED(401, "authentication required"),
  DENIED(403, "requested access to the resource is denied"),
  UNSUPPORTED(405, "the operation is unsupported"),
  RANGE_INVALID(416, "invalid content range"),
  TOOMANYREQUESTS(429, "too many requests"),
  UNKNOWN(500, "unknown error"),
  UNAVAILABLE(503, "service unavailable");

  private final int httpStatus;
  private final String description;

  OciErrorCode(int httpStatus, String description) {
    this.httpStatus = httpStatus;
    this.description = description;
  }

  /** The HTTP status this code is sent with. */
  public int httpStatus() {
    return httpStatus;
  }

  /** The specification's short description of the code. */
  public String description() {
    return description;
  }
}
