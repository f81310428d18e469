/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import dev.cacheproxy.core.Digest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One request from the registry's access log.
 *
 * <p>distribution 2.8 writes an Apache combined log line per finished request to its stdout:
 *
 * <pre>
 * 127.0.0.1 - - [24/Nov/2026:21:05:09 +0000] "GET /v2/foo/blobs/sha256:00… HTTP/1.1" 200 157 "" "skopeo/1.9.3"
 * </pre>
 *
 * @param method the HTTP method
 * @param path the request path, without the query string
 * @param query the query string without {@code ?}, empty if there was none
 * @param status the response status
 * @param bytes the response body bytes written
 * @param userAgent the User-Agent header
 */
record AccessLogEntry(
    String method, String path, String query, int status, long bytes, String userAgent) {

  private static final Pattern LINE =
      Pattern.compile(
          "^\\S+ \\S+ \\S+ \\[[^\\]]*\\] \"(\\S+) (\\S+) HTTP/[0-9.]+\" (\\d{3}) (\\d+|-)"
              + "(?: \"[^\"]*\" \"([^\"]*)\")?.*$");

  private static final Pattern BLOB_PATH =
      Pattern.compile("^/v2/(.+)/blobs/([a-z0-9]+:[a-f0-9]+)$");

  /** Parses an access log line, or empty for the registry's other (logrus) lines. */
  static Optional<AccessLogEntry> parse(String line) {
    Matcher m = LINE.matcher(line);
    if (!m.matches()) {
      return Optional.empty();
    }
    String uri = m.group(2);
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    String query = q < 0 ? "" : uri.substring(q + 1);
    long bytes = m.group(4).equals("-") ? 0 : Long.parseLong(m.group(4));
    String agent = m.group(5) == null ? "" : m.group(5);
    return Optional.of(
        new AccessLogEntry(m.group(1), path, query, Integer.parseInt(m.group(3)), bytes, agent));
  }

  /** The digest if this is a request for a blob ({@code /v2/<name>/blobs/<digest>}). */
  Optional<Digest> blobDigest() {
    Matcher m = BLOB_PATH.matcher(path);
    return m.matches() ? Optional.of(Digest.parse(m.group(2))) : Optional.empty();
  }

  /** The repository if this is a request for a blob. */
  Optional<String> blobRepository() {
    Matcher m = BLOB_PATH.matcher(path);
    return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /** Whether this is a {@code GET} of a blob, whatever the repository and the status. */
  boolean isBlobGet() {
    return method.equals("GET") && blobDigest().isPresent();
  }

  /** The entries after the first {@code count}, e.g. a test's requests after an earlier size. */
  static List<AccessLogEntry> since(List<AccessLogEntry> entries, int count) {
    return entries.subList(count, entries.size());
  }

  /** How many {@code GET}s each blob of {@code repository} got in {@code entries}. */
  static Map<Digest, Long> blobGets(List<AccessLogEntry> entries, String repository) {
    Map<Digest, Long> counts = new TreeMap<>();
    for (AccessLogEntry entry : entries) {
      if (entry.isBlobGet() && entry.blobRepository().orElseThrow().equals(repository)) {
        counts.merge(entry.blobDigest().orElseThrow(), 1L, Long::sum);
      }
    }
    return counts;
  }

  @Override
  public String toString() {
    return method + " " + path + (query.isEmpty() ? "" : "?" + query) + " -> " + status;
  }
}
