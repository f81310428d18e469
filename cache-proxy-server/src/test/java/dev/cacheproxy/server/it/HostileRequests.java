/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import static dev.cacheproxy.core.OciErrorCode.BLOB_UNKNOWN;
import static dev.cacheproxy.core.OciErrorCode.DENIED;
import static dev.cacheproxy.core.OciErrorCode.DIGEST_INVALID;
import static dev.cacheproxy.core.OciErrorCode.MANIFEST_INVALID;
import static dev.cacheproxy.core.OciErrorCode.NAME_INVALID;
import static dev.cacheproxy.core.OciErrorCode.NAME_UNKNOWN;
import static dev.cacheproxy.core.OciErrorCode.PAGINATION_NUMBER_INVALID;
import static dev.cacheproxy.core.OciErrorCode.RANGE_INVALID;
import static dev.cacheproxy.core.OciErrorCode.UNSUPPORTED;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.OciErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The table of hostile requests {@link HostileInputIT} sends raw over a socket, each with the
 * answer it must get. Requests that the HTTP layer (Undertow, with the registry listener's limits)
 * turns away may get a bare 4xx without an OCI body or have their connection closed without a
 * response; their rows say {@link Expected#mayClose()}. Everything that reaches the proxy's own
 * code gets an OCI error body with the code given.
 *
 * @param repo the repository pulled through the proxy, such as {@code up/it/hostile}
 * @param tag its tag
 * @param layer a blob of it
 * @param layerSize the blob's size
 */
record HostileRequests(String repo, String tag, Digest layer, long layerSize) {

  /**
   * What a row must get.
   *
   * @param statuses the statuses allowed
   * @param code the OCI error code the body must carry, or null when there is no OCI body to check
   * @param mayClose whether closing the connection without a response is allowed too (the HTTP
   *     layer's answer to requests over its limits)
   */
  record Expected(Set<Integer> statuses, @Nullable OciErrorCode code, boolean mayClose) {

    @Override
    public String toString() {
      return (statuses.size() == 1 ? statuses.iterator().next() : statuses)
          + (code == null ? "" : " " + code)
          + (mayClose ? " or closed" : "");
    }
  }

  /**
   * One hostile request.
   *
   * @param category traversal, name, reference, query, size, body, method, request line, header,
   *     range
   * @param name what the request tries
   * @param request the exact bytes sent
   * @param expected the answer it must get
   */
  record Row(String category, String name, byte[] request, Expected expected) {

    @Override
    public String toString() {
      return category + ": " + name;
    }
  }

  /** The whole table. */
  List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    traversal(rows);
    names(rows);
    references(rows);
    query(rows);
    sizes(rows);
    bodies(rows);
    methods(rows);
    requestLines(rows);
    headers(rows);
    ranges(rows);
    return List.copyOf(rows);
  }

  private void traversal(List<Row> rows) {
    String c = "traversal";
    rows.add(get(c, "dot-dot segments", "/v2/../etc/passwd", oci(404, NAME_UNKNOWN)));
    rows.add(get(c, "dot-dot before manifests", "/v2/../../manifests/v1", bad(NAME_INVALID)));
    rows.add(get(c, "%2e%2e", "/v2/%2e%2e/%2e%2e/etc/passwd", oci(404, NAME_UNKNOWN)));
    rows.add(get(c, "%2E%2E%2F", "/v2/%2E%2E%2F%2E%2E%2Fetc/manifests/v1", bad(NAME_INVALID)));
    rows.add(get(c, "double-encoded %252e", "/v2/%252e%252e/manifests/v1", bad(NAME_INVALID)));
    rows.add(get(c, "raw backslashes", "/v2/..\\..\\etc/manifests/v1", transport(400)));
    rows.add(get(c, "encoded backslash %5c", "/v2/..%5c..%5cetc/manifests/v1", bad(NAME_INVALID)));
    rows.add(get(c, "path parameter ;", "/v2/a;x=../../manifests/v1", bad(NAME_INVALID)));
    rows.add(get(c, "path parameter, then ..", manifests(tag) + ";x=/..", oci(404, NAME_UNKNOWN)));
    rows.add(get(c, "path parameter on a tag (dropped)", manifests(tag) + ";x=y", status(200)));
    rows.add(get(c, "NUL %00 in name", "/v2/" + repo + "%00/manifests/" + tag, bad(NAME_INVALID)));
    rows.add(get(c, "NUL %00 in tag", manifests("v1%00.json"), bad(MANIFEST_INVALID)));
    rows.add(get(c, "overlong UTF-8 %c0%ae", "/v2/%c0%ae%c0%ae/manifests/v1", bad(NAME_INVALID)));
    rows.add(get(c, "broken escape %zz", "/v2/%zz/manifests/v1", transport(400)));
    rows.add(get(c, "admin prefix climbing", "/_cache-proxy/../v2/", oci(404, NAME_UNKNOWN)));
    rows.add(
        get(c, "digest traversal", blobs("sha256:../../../etc/passwd"), oci(404, NAME_UNKNOWN)));
  }

  private void names(List<Row> rows) {
    String c = "name";
    rows.add(get(c, "upper case", "/v2/UP/IT/HOSTILE/manifests/v1", oci(400, NAME_INVALID)));
    rows.add(
        get(
            c,
            "longer than 255",
            "/v2/up/" + "a".repeat(300) + "/manifests/v1",
            bad(NAME_INVALID)));
    rows.add(get(c, "empty component", "/v2/up//hostile/manifests/v1", oci(400, NAME_INVALID)));
    rows.add(get(c, "empty name", "/v2/manifests/v1", oci(400, NAME_INVALID)));
    rows.add(get(c, "leading separator", "/v2/-up/it/manifests/v1", oci(400, NAME_INVALID)));
    rows.add(get(c, "trailing separator", "/v2/up/it-/manifests/v1", oci(400, NAME_INVALID)));
    rows.add(get(c, "triple underscore", "/v2/up/a___b/manifests/v1", oci(400, NAME_INVALID)));
    rows.add(get(c, "non-ASCII", "/v2/up/n%C3%A4me/manifests/v1", oci(400, NAME_INVALID)));
    rows.add(get(c, "no rule matches", "/v2/norule/x/manifests/v1", oci(404, NAME_UNKNOWN)));
  }

  private void references(List<Row> rows) {
    String c = "reference";
    rows.add(get(c, "tag of 129", manifests("a".repeat(129)), oci(400, MANIFEST_INVALID)));
    rows.add(get(c, "tag starting with .", manifests(".hidden"), oci(400, MANIFEST_INVALID)));
    rows.add(get(c, "tag with a space", manifests("v%201"), oci(400, MANIFEST_INVALID)));
    rows.add(get(c, "truncated digest", manifests("sha256:abc"), oci(400, DIGEST_INVALID)));
    String hex = layer.hex();
    rows.add(get(c, "upper-case hex", blobs("sha256:" + hex.toUpperCase()), bad(DIGEST_INVALID)));
    rows.add(get(c, "63 hex digits", blobs("sha256:" + hex.substring(1)), bad(DIGEST_INVALID)));
    rows.add(get(c, "65 hex digits", blobs("sha256:" + hex + "0"), bad(DIGEST_INVALID)));
    rows.add(get(c, "sha512 with 64 hex", blobs("sha512:" + hex), bad(DIGEST_INVALID)));
    rows.add(
        get(c, "unknown algorithm md5", blobs("md5:" + hex.substring(32)), bad(DIGEST_INVALID)));
    rows.add(get(c, "empty hex", blobs("sha256:"), oci(400, DIGEST_INVALID)));
    rows.add(get(c, "a tag as blob digest", blobs("latest"), oci(400, DIGEST_INVALID)));
    rows.add(get(c, "unknown blob", blobs("sha256:" + "0".repeat(64)), oci(404, BLOB_UNKNOWN)));
  }

  private void query(List<Row> rows) {
    String c = "query";
    String tags = "/v2/" + repo + "/tags/list";
    rows.add(get(c, "n=-1", tags + "?n=-1", oci(400, PAGINATION_NUMBER_INVALID)));
    rows.add(get(c, "n=abc", tags + "?n=abc", oci(400, PAGINATION_NUMBER_INVALID)));
    rows.add(get(c, "n huge", tags + "?n=99999999999999999999", bad(PAGINATION_NUMBER_INVALID)));
    rows.add(get(c, "n=+5", tags + "?n=%2B5", oci(400, PAGINATION_NUMBER_INVALID)));
    rows.add(get(c, "catalog n=1e3", "/v2/_catalog?n=1e3", oci(400, PAGINATION_NUMBER_INVALID)));
    rows.add(
        get(
            c,
            "last of 4 KiB",
            tags + "?last=" + "a".repeat(4096),
            bad(PAGINATION_NUMBER_INVALID)));
    String manifest = "/v2/" + repo + "/manifests/" + tag + "?ns=";
    rows.add(get(c, "ns unlisted host", manifest + "evil.example.com", oci(403, DENIED)));
    rows.add(get(c, "ns metadata address", manifest + "169.254.169.254", oci(403, DENIED)));
    rows.add(get(c, "ns loopback port", manifest + "127.0.0.1:22", oci(403, DENIED)));
    rows.add(get(c, "ns with a path", manifest + "127.0.0.1:22/v2/x", oci(400, NAME_INVALID)));
    rows.add(get(c, "ns with a scheme", manifest + "http://evil.example.com", bad(NAME_INVALID)));
    rows.add(get(c, "ns with user info", manifest + "u:p@evil.example.com", bad(NAME_INVALID)));
    rows.add(get(c, "ns CRLF injection", manifest + "a%0d%0aX-Injected:%201", bad(NAME_INVALID)));
    rows.add(get(c, "ns of 5000", manifest + "a".repeat(5000) + ".com", bad(NAME_INVALID)));
    StringBuilder many = new StringBuilder(tags + "?n=1");
    for (int i = 0; i < 300; i++) {
      many.append("&p").append(i).append("=x");
    }
    rows.add(get(c, "300 query parameters", many.toString(), transport(400)));
  }

  private void sizes(List<Row> rows) {
    String c = "size";
    rows.add(
        get(c, "URL of 8 KiB", "/v2/" + "a/".repeat(4096) + "manifests/v1", bad(NAME_INVALID)));
    rows.add(get(c, "URL of 100 KiB", "/v2/" + "a".repeat(100 * 1024) + "/manifests/v1", limit()));
    rows.add(
        raw(
            c,
            "header of 100 KiB",
            request("GET /v2/", "X-Big: " + "a".repeat(100 * 1024)),
            limit()));
    StringBuilder thousand = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      thousand.append("X-H").append(i).append(": v\r\n");
    }
    rows.add(raw(c, "1000 headers", request("GET /v2/", thousand.toString().strip()), limit()));
    rows.add(
        raw(
            c,
            "Accept of 40 KiB",
            request(
                "GET /v2/" + repo + "/manifests/" + tag,
                "Accept: " + "application/x-junk,".repeat(2000) + "*/*"),
            status(200)));
  }

  private void bodies(List<Row> rows) {
    String c = "body";
    rows.add(raw(c, "GET with a small body", bodyRequest("GET /v2/", "hello"), status(200)));
    rows.add(
        raw(
            c,
            "GET with 1 MiB body",
            bodyRequest("GET /v2/", "x".repeat(1 << 20)),
            transport(200, 413)));
    rows.add(
        raw(
            c,
            "chunked 1 MiB upload",
            chunked("POST /v2/" + repo + "/blobs/uploads/", 1 << 20),
            new Expected(Set.of(405, 413), UNSUPPORTED, true)));
    rows.add(
        raw(c, "Content-Length abc", request("GET /v2/", "Content-Length: abc"), transport(400)));
    rows.add(
        raw(c, "Content-Length -1", request("GET /v2/", "Content-Length: -1"), transport(400)));
    rows.add(
        raw(
            c,
            "Content-Length with Transfer-Encoding",
            ("GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: 4\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1),
            transport(200, 400)));
  }

  private void methods(List<Row> rows) {
    String c = "method";
    String manifest = "/v2/" + repo + "/manifests/" + tag;
    rows.add(raw(c, "PUT manifest", bodyRequest("PUT " + manifest, "{}"), oci(405, UNSUPPORTED)));
    rows.add(raw(c, "DELETE manifest", request("DELETE " + manifest), oci(405, UNSUPPORTED)));
    rows.add(
        raw(c, "DELETE blob", request("DELETE " + blobs(layer.toString())), oci(405, UNSUPPORTED)));
    rows.add(
        raw(
            c,
            "POST upload",
            request("POST /v2/" + repo + "/blobs/uploads/"),
            oci(405, UNSUPPORTED)));
    rows.add(
        raw(
            c,
            "PATCH upload",
            bodyRequest("PATCH /v2/" + repo + "/blobs/uploads/u1", "x"),
            oci(405, UNSUPPORTED)));
    rows.add(
        raw(
            c,
            "PUT upload",
            request("PUT /v2/" + repo + "/blobs/uploads/u1?digest=x"),
            oci(405, UNSUPPORTED)));
    rows.add(raw(c, "OPTIONS", request("OPTIONS /v2/"), oci(405, UNSUPPORTED)));
    rows.add(raw(c, "TRACE", request("TRACE /v2/"), new Expected(Set.of(405), UNSUPPORTED, false)));
    rows.add(raw(c, "unknown method", request("BREW /v2/"), oci(405, UNSUPPORTED)));
    rows.add(raw(c, "method with @", request("G@T /v2/"), transport(400, 405)));
    rows.add(raw(c, "CONNECT", request("CONNECT 127.0.0.1:22"), transport(400, 404, 405)));
  }

  private void requestLines(List<Row> rows) {
    String c = "request line";
    rows.add(raw(c, "HTTP/0.9 style", bytes("GET /v2/\r\n\r\n"), transport(400)));
    rows.add(raw(c, "garbage", bytes("\u0016\u0003\u0001garbage\r\n\r\n"), transport(400)));
    rows.add(
        raw(
            c,
            "HTTP/7.0",
            bytes("GET /v2/ HTTP/7.0\r\nHost: x\r\n\r\n"),
            transport(200, 400, 505)));
    rows.add(raw(c, "no version", bytes("GET /v2/ \r\nHost: x\r\n\r\n"), transport(400)));
    rows.add(
        raw(
            c,
            "NUL in target",
            bytes("GET /v2/\u0000 HTTP/1.1\r\nHost: x\r\n\r\n"),
            transport(400)));
    rows.add(
        raw(
            c,
            "bare LF line ends",
            bytes("GET /v2/ HTTP/1.1\nHost: x\nConnection: close\n\n"),
            transport(200, 400)));
    rows.add(
        raw(
            c,
            "absolute-form target to a metadata host",
            bytes(
                "GET http://169.254.169.254/v2/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
            transport(400)));
    rows.add(
        raw(
            c,
            "absolute-form target with its Host",
            bytes(
                "GET http://169.254.169.254/v2/"
                    + repo
                    + "/manifests/"
                    + tag
                    + " HTTP/1.1\r\nHost: 169.254.169.254\r\nConnection: close\r\n\r\n"),
            status(200)));
    rows.add(
        raw(
            c,
            "asterisk target",
            bytes("GET * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
            transport(400, 404)));
  }

  private void headers(List<Row> rows) {
    String c = "header";
    rows.add(
        raw(
            c,
            "no Host",
            bytes("GET /v2/ HTTP/1.1\r\nConnection: close\r\n\r\n"),
            transport(200, 400)));
    rows.add(raw(c, "two Hosts", request("GET /v2/", "Host: a.example"), transport(200, 400)));
    rows.add(
        raw(
            c,
            "Host of a metadata address",
            bytes(
                "GET /v2/"
                    + repo
                    + "/manifests/"
                    + tag
                    + " HTTP/1.1\r\nHost: 169.254.169.254\r\nConnection: close\r\n\r\n"),
            status(200)));
    rows.add(raw(c, "header without colon", request("GET /v2/", "NoColonHere"), transport(400)));
    rows.add(raw(c, "NUL in a value", request("GET /v2/", "X-A: a\u0000b"), transport(400)));
    rows.add(
        raw(
            c,
            "obsolete line folding",
            request("GET /v2/", "X-A: a\r\n  folded"),
            transport(200, 400)));
    rows.add(
        raw(
            c,
            "Accept garbage",
            request("GET /v2/" + repo + "/manifests/" + tag, "Accept: ;;;,,,/,a/b/c,\"\""),
            status(200)));
    rows.add(
        raw(
            c,
            "hostile X-Request-Id",
            request("GET /v2/nope/manifests/v1", "X-Request-Id: <script>" + "x".repeat(500)),
            oci(404, NAME_UNKNOWN)));
  }

  private void ranges(List<Row> rows) {
    String c = "range";
    String blob = blobs(layer.toString());
    rows.add(raw(c, "garbage", request("GET " + blob, "Range: bytes=garbage"), status(200)));
    rows.add(raw(c, "two ranges", request("GET " + blob, "Range: bytes=0-1,5-6"), status(200)));
    rows.add(raw(c, "last before first", request("GET " + blob, "Range: bytes=5-2"), status(200)));
    rows.add(raw(c, "other unit", request("GET " + blob, "Range: items=0-1"), status(200)));
    rows.add(
        raw(
            c,
            "past the end",
            request("GET " + blob, "Range: bytes=" + layerSize + "-"),
            oci(416, RANGE_INVALID)));
    rows.add(
        raw(c, "empty suffix", request("GET " + blob, "Range: bytes=-0"), oci(416, RANGE_INVALID)));
    rows.add(
        raw(
            c,
            "20-digit last",
            request("GET " + blob, "Range: bytes=0-99999999999999999999"),
            status(206)));
  }

  // --- building requests

  private String manifests(String reference) {
    return "/v2/" + repo + "/manifests/" + reference;
  }

  private String blobs(String digest) {
    return "/v2/" + repo + "/blobs/" + digest;
  }

  private static Row get(String category, String name, String target, Expected expected) {
    return new Row(category, name, request("GET " + target), expected);
  }

  private static Row raw(String category, String name, byte[] request, Expected expected) {
    return new Row(category, name, request, expected);
  }

  /** {@code methodAndTarget HTTP/1.1} with Host, Connection: close and {@code extraHeaders}. */
  static byte[] request(String methodAndTarget, String... extraHeaders) {
    StringBuilder sb =
        new StringBuilder(methodAndTarget)
            .append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for (String h : extraHeaders) {
      if (!h.isEmpty()) {
        sb.append(h).append("\r\n");
      }
    }
    return bytes(sb.append("\r\n").toString());
  }

  private static byte[] bodyRequest(String methodAndTarget, String body) {
    return bytes(
        methodAndTarget
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: "
            + body.length()
            + "\r\n\r\n"
            + body);
  }

  private static byte[] chunked(String methodAndTarget, int size) {
    StringBuilder sb =
        new StringBuilder(methodAndTarget)
            .append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n")
            .append("Transfer-Encoding: chunked\r\n\r\n");
    String chunk = "y".repeat(8192);
    for (int sent = 0; sent < size; sent += chunk.length()) {
      sb.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
    }
    return bytes(sb.append("0\r\n\r\n").toString());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  // --- expectations

  private static Expected oci(int status, OciErrorCode code) {
    return new Expected(Set.of(status), code, false);
  }

  private static Expected bad(OciErrorCode code) {
    return oci(400, code);
  }

  private static Expected status(int status) {
    return new Expected(Set.of(status), null, false);
  }

  /** The HTTP layer answers: one of {@code statuses} without an OCI body, or it closes. */
  private static Expected transport(int... statuses) {
    Set<Integer> set = new java.util.TreeSet<>();
    for (int s : statuses) {
      set.add(s);
    }
    return new Expected(set, null, true);
  }

  /** Over the listener's header limits: 400 or 431 from the HTTP layer, or closed. */
  private static Expected limit() {
    return transport(400, 413, 414, 431);
  }
}
