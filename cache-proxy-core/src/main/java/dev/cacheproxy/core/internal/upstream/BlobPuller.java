/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.UpstreamException;
import dev.cacheproxy.core.spi.Credentials;
import dev.cacheproxy.rules.Registry;
import dev.cacheproxy.rules.RepositoryName;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.jspecify.annotations.Nullable;

/**
 * Pulls blobs: {@code GET} (optionally from an offset, with {@code Range}, and {@code If-Range} to
 * resume only the same blob) and {@code HEAD /v2/<name>/blobs/<digest>}. A GET hands back the open
 * body and the response's {@code ETag}; nothing is buffered. The download holds a place in the
 * registry's bulkhead until it is closed.
 */
final class BlobPuller {

  private static final Pattern CONTENT_RANGE =
      Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)", Pattern.CASE_INSENSITIVE);

  private final RegistryEndpointCaller caller;
  private final UpstreamMetrics metrics;

  BlobPuller(RegistryEndpointCaller caller) {
    this(caller, UpstreamMetrics.none());
  }

  /** A puller that counts the blob bytes read from each registry in {@code metrics}. */
  BlobPuller(RegistryEndpointCaller caller, UpstreamMetrics metrics) {
    this.caller = caller;
    this.metrics = metrics;
  }

  UpstreamBlob get(
      Registry registry,
      RepositoryName repository,
      Digest digest,
      long offset,
      @Nullable Credentials credentials) {
    return get(registry, repository, digest, offset, null, credentials);
  }

  /**
   * Opens a blob from {@code offset}. With a positive offset and a strong {@code ifRange} entity
   * tag, sends {@code If-Range} too, so an upstream whose blob changed answers 200 with the whole
   * new blob instead of a range of it (a weak tag cannot be sent in {@code If-Range}; the caller
   * still compares the answer's {@link UpstreamBlob#etag()}).
   */
  UpstreamBlob get(
      Registry registry,
      RepositoryName repository,
      Digest digest,
      long offset,
      @Nullable String ifRange,
      @Nullable Credentials credentials) {
    if (offset < 0) {
      throw new IllegalArgumentException("offset is negative: " + offset);
    }
    List<Map.Entry<String, String>> headers = List.of();
    if (offset > 0) {
      Map.Entry<String, String> range = Map.entry("Range", "bytes=" + offset + "-");
      headers =
          ifRange != null && isStrong(ifRange)
              ? List.of(range, Map.entry("If-Range", ifRange))
              : List.of(range);
    }
    RegistryRequest request = request("GET", registry, repository, digest, headers);
    RegistryEndpointCaller.Opened opened = caller.open(request, credentials);
    ClassicHttpResponse response = opened.response();
    RegistryGuards.Permit permit = opened.permit();
    InputStream body;
    try {
      body = Responses.body(response);
    } catch (IOException e) {
      Responses.abort(response);
      permit.release();
      throw UpstreamErrors.unreachable(registry.host(), "reading " + request.subject(), e);
    }
    long start = 0;
    long total = Responses.contentLength(response);
    if (response.getCode() == 206) {
      String range = Responses.header(response, "Content-Range");
      Matcher m = range == null ? null : CONTENT_RANGE.matcher(range);
      if (m == null || !m.matches()) {
        Responses.abort(response, body);
        permit.release();
        throw new UpstreamException(
            OciErrorCode.UNKNOWN,
            request.subject() + ": " + registry.host() + " sent 206 without a valid Content-Range",
            206,
            null,
            null);
      }
      start = Long.parseLong(m.group(1));
      total = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
    }
    String etag = Responses.header(response, "ETag");
    InputStream raw = body;
    return new UpstreamBlob(
        start,
        total,
        etag,
        metrics.countingBytes(registry.host(), raw),
        () -> {
          Responses.abort(response, raw);
          permit.release();
        });
  }

  /** Whether {@code etag} is a strong entity tag ({@code "…"}, not {@code W/"…"}). */
  private static boolean isStrong(String etag) {
    return etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"");
  }

  /** The blob's size from {@code Content-Length}, or -1 if the upstream did not send one. */
  long head(
      Registry registry,
      RepositoryName repository,
      Digest digest,
      @Nullable Credentials credentials) {
    RegistryRequest request = request("HEAD", registry, repository, digest, List.of());
    ClassicHttpResponse response = caller.call(request, credentials);
    try {
      return Responses.contentLength(response);
    } finally {
      Responses.discard(response);
    }
  }

  private static RegistryRequest request(
      String method,
      Registry registry,
      RepositoryName repository,
      Digest digest,
      List<Map.Entry<String, String>> headers) {
    return new RegistryRequest(
        registry,
        repository,
        method,
        RegistryRequest.v2(registry, repository, "blobs/" + digest),
        headers,
        registry.host() + "/" + repository + "@" + digest,
        OciErrorCode.BLOB_UNKNOWN);
  }
}
