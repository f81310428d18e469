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
 * Pulls blobs: {@code GET} (optionally from an offset, with {@code Range}) and {@code HEAD
 * /v2/<name>/blobs/<digest>}. A GET hands back the open body; nothing is buffered.
 */
final class BlobPuller {

  private static final Pattern CONTENT_RANGE =
      Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)", Pattern.CASE_INSENSITIVE);

  private final RegistryEndpointCaller caller;

  BlobPuller(RegistryEndpointCaller caller) {
    this.caller = caller;
  }

  UpstreamBlob get(
      Registry registry,
      RepositoryName repository,
      Digest digest,
      long offset,
      @Nullable Credentials credentials) {
    if (offset < 0) {
      throw new IllegalArgumentException("offset is negative: " + offset);
    }
    List<Map.Entry<String, String>> headers =
        offset > 0 ? List.of(Map.entry("Range", "bytes=" + offset + "-")) : List.of();
    RegistryRequest request = request("GET", registry, repository, digest, headers);
    ClassicHttpResponse response = caller.call(request, credentials);
    InputStream body;
    try {
      body = Responses.body(response);
    } catch (IOException e) {
      Responses.abort(response);
      throw UpstreamErrors.unreachable(registry.host(), "reading " + request.subject(), e);
    }
    long start = 0;
    long total = Responses.contentLength(response);
    if (response.getCode() == 206) {
      String range = Responses.header(response, "Content-Range");
      Matcher m = range == null ? null : CONTENT_RANGE.matcher(range);
      if (m == null || !m.matches()) {
        Responses.abort(response, body);
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
    return new UpstreamBlob(start, total, body, () -> Responses.abort(response, body));
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
