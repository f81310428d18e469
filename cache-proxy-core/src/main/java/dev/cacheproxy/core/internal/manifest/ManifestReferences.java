/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.ProxyException;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a manifest points at: the blobs an image manifest needs (config and layers, or the blobs of
 * an artifact manifest) and the child manifests of an index. Whatever the media type claims, the
 * JSON decides: {@code manifests[]} are children, {@code config}, {@code layers[]}, {@code blobs[]}
 * and schema 1 {@code fsLayers[]} are blobs. A {@code subject} is neither (it points at another
 * image that is cached, or not, on its own).
 *
 * @param blobs the digests of the blobs, without duplicates, in order of appearance
 * @param manifests the digests of the child manifests, without duplicates
 */
public record ManifestReferences(List<Digest> blobs, List<Digest> manifests) {

  /** A manifest that points at nothing (or could not be parsed). */
  public static final ManifestReferences NONE = new ManifestReferences(List.of(), List.of());

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Copies the lists. */
  public ManifestReferences {
    blobs = List.copyOf(blobs);
    manifests = List.copyOf(manifests);
  }

  /**
   * Reads the references of a manifest's bytes. Content that is not a JSON object, and entries
   * without a valid digest, contribute nothing; this never throws for bad content, because the
   * bytes were verified against their digest and came from the upstream as they are.
   */
  public static ManifestReferences parse(byte[] content) {
    JsonNode root;
    try {
      root = JSON.readTree(content);
    } catch (IOException e) {
      return NONE;
    }
    if (root == null || !root.isObject()) {
      return NONE;
    }
    Set<Digest> blobs = new LinkedHashSet<>();
    Set<Digest> manifests = new LinkedHashSet<>();
    addDigest(root.get("config"), "digest", blobs);
    addAll(root.get("layers"), "digest", blobs);
    addAll(root.get("blobs"), "digest", blobs);
    addAll(root.get("fsLayers"), "blobSum", blobs);
    addAll(root.get("manifests"), "digest", manifests);
    return new ManifestReferences(List.copyOf(blobs), List.copyOf(manifests));
  }

  private static void addAll(JsonNode array, String field, Set<Digest> into) {
    if (array != null && array.isArray()) {
      for (JsonNode entry : array) {
        addDigest(entry, field, into);
      }
    }
  }

  private static void addDigest(JsonNode descriptor, String field, Set<Digest> into) {
    if (descriptor == null || !descriptor.isObject()) {
      return;
    }
    JsonNode digest = descriptor.get(field);
    if (digest == null || !digest.isTextual()) {
      return;
    }
    try {
      into.add(Digest.parse(digest.asText()));
    } catch (ProxyException e) {
      // Not a digest this proxy can fetch; nothing of ours to keep for it.
    }
  }
}
