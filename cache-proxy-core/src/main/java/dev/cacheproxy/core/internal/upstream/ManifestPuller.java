/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.DigestMismatchException;
import dev.cacheproxy.core.Manifest;
import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.ProxyException;
import dev.cacheproxy.core.Reference;
import dev.cacheproxy.core.spi.Credentials;
import dev.cacheproxy.rules.Registry;
import dev.cacheproxy.rules.RepositoryName;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulls manifests: {@code GET} and {@code HEAD /v2/<name>/manifests/<reference>}. A GET reads at
 * most {@link Manifest#MAX_SIZE} bytes and checks the content against the digest it was asked by
 * and against {@code Docker-Content-Digest}.
 */
final class ManifestPuller {
  private static final Logger LOG = LoggerFactory.getLogger(ManifestPuller.class);

  /** Sent when the caller accepts nothing in particular: the four image manifest types. */
  static final List<String> STANDARD_ACCEPT =
      List.of(
          "application/vnd.oci.image.index.v1+json",
          "application/vnd.oci.image.manifest.v1+json",
          "application/vnd.docker.distribution.manifest.list.v2+json",
          "application/vnd.docker.distribution.manifest.v2+json");

  static final String OCTET_STREAM = "application/octet-stream";

  private final RegistryEndpointCaller caller;

  ManifestPuller(RegistryEndpointCaller caller) {
    this.caller = caller;
  }

  UpstreamManifest get(
      Registry registry,
      RepositoryName repository,
      Reference reference,
      List<String> accept,
      @Nullable Credentials credentials) {
    RegistryRequest request = request("GET", registry, repository, reference, accept);
    ClassicHttpResponse response = caller.call(request, credentials);
    Digest header = digestHeader(request, response);
    if (Responses.contentLength(response) > Manifest.MAX_SIZE) {
      Responses.abort(response);
      throw tooLarge(request);
    }
    byte[] content;
    try {
      content = Responses.readAtMost(response, Manifest.MAX_SIZE);
    } catch (IOException e) {
      throw UpstreamErrors.unreachable(registry.host(), "reading " + request.subject(), e);
    }
    if (content == null) {
      throw tooLarge(request);
    }
    if (reference instanceof Digest wanted && !wanted.matches(content)) {
      throw new DigestMismatchException(
          request.subject() + ": upstream sent content with digest " + wanted.of(content));
    }
    if (header != null && !header.matches(content)) {
      throw new DigestMismatchException(
          request.subject()
              + ": upstream sent Docker-Content-Digest "
              + header
              + " with content of digest "
              + header.of(content));
    }
    String mediaType = Responses.mediaType(response);
    return new UpstreamManifest(
        content, mediaType != null ? mediaType : mediaTypeField(content), header);
  }

  ManifestHead head(
      Registry registry,
      RepositoryName repository,
      Reference reference,
      List<String> accept,
      @Nullable Credentials credentials) {
    RegistryRequest request = request("HEAD", registry, repository, reference, accept);
    ClassicHttpResponse response = caller.call(request, credentials);
    try {
      String mediaType = Responses.mediaType(response);
      return new ManifestHead(
          digestHeader(request, response),
          mediaType != null ? mediaType : OCTET_STREAM,
          Responses.contentLength(response));
    } finally {
      Responses.discard(response);
    }
  }

  private static RegistryRequest request(
      String method,
      Registry registry,
      RepositoryName repository,
      Reference reference,
      List<String> accept) {
    String separator = reference instanceof Digest ? "@" : ":";
    List<String> types = accept.isEmpty() ? STANDARD_ACCEPT : accept;
    return new RegistryRequest(
        registry,
        repository,
        method,
        RegistryRequest.v2(registry, repository, "manifests/" + reference),
        List.of(Map.entry("Accept", String.join(", ", types))),
        registry.host() + "/" + repository + separator + reference,
        OciErrorCode.MANIFEST_UNKNOWN);
  }

  private static @Nullable Digest digestHeader(
      RegistryRequest request, ClassicHttpResponse response) {
    String value = Responses.header(response, "Docker-Content-Digest");
    if (value == null) {
      return null;
    }
    try {
      return Digest.parse(value);
    } catch (ProxyException e) {
      LOG.debug("{}: ignoring malformed Docker-Content-Digest", request.subject());
      return null;
    }
  }

  /** The JSON {@code mediaType} field, or {@value #OCTET_STREAM}. */
  private static String mediaTypeField(byte[] content) {
    try {
      String type = Responses.JSON.readTree(content).path("mediaType").asText("");
      return type.isBlank() ? OCTET_STREAM : type;
    } catch (IOException e) {
      return OCTET_STREAM;
    }
  }

  private static ProxyException tooLarge(RegistryRequest request) {
    return new ProxyException(
        OciErrorCode.MANIFEST_INVALID,
        request.subject() + ": upstream manifest is larger than " + Manifest.MAX_SIZE + " bytes");
  }
}
