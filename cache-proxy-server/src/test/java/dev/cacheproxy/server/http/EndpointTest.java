/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.ProxyException;
import dev.cacheproxy.core.Tag;
import dev.cacheproxy.rules.RepositoryName;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EndpointTest {

  private static final String DIGEST = "sha256:" + "a".repeat(64);

  private static Endpoint get(String path) {
    return Endpoint.parse("GET", path, Map.of());
  }

  private static Map<String, Deque<String>> query(String name, String value) {
    return Map.of(name, new ArrayDeque<>(List.of(value)));
  }

  private static OciErrorCode codeOf(Runnable parse) {
    try {
      parse.run();
    } catch (ProxyException e) {
      return e.code();
    }
    throw new AssertionError("expected a ProxyException");
  }

  @Test
  void base() {
    assertThat(get("/v2/")).isEqualTo(new Endpoint.Base());
    assertThat(get("/v2")).isEqualTo(new Endpoint.Base());
    assertThat(Endpoint.parse("HEAD", "/v2/", Map.of())).isEqualTo(new Endpoint.Base());
  }

  @Test
  void manifest_nameWithSlashes_isReadFromTheRight() {
    assertThat(get("/v2/hub/library/nginx/manifests/1.27-alpine"))
        .isEqualTo(
            new Endpoint.Manifest(
                RepositoryName.of("hub/library/nginx"), null, Tag.parse("1.27-alpine")));
    assertThat(get("/v2/a/manifests/b/manifests/latest"))
        .isEqualTo(
            new Endpoint.Manifest(RepositoryName.of("a/manifests/b"), null, Tag.parse("latest")));
    assertThat(get("/v2/nginx/manifests/" + DIGEST))
        .isEqualTo(new Endpoint.Manifest(RepositoryName.of("nginx"), null, Digest.parse(DIGEST)));
  }

  @Test
  void blob_nameWithSlashes_isReadFromTheRight() {
    assertThat(get("/v2/ghcr/acme/tools/blobs/" + DIGEST))
        .isEqualTo(
            new Endpoint.Blob(RepositoryName.of("ghcr/acme/tools"), null, Digest.parse(DIGEST)));
    assertThat(get("/v2/blobs/blobs/" + DIGEST))
        .isEqualTo(new Endpoint.Blob(RepositoryName.of("blobs"), null, Digest.parse(DIGEST)));
  }

  @Test
  void tagsAndCatalog_readThePage() {
    assertThat(Endpoint.parse("GET", "/v2/hub/library/nginx/tags/list", query("n", "50")))
        .isEqualTo(
            new Endpoint.Tags(RepositoryName.of("hub/library/nginx"), null, new Page(50, null)));
    assertThat(Endpoint.parse("GET", "/v2/_catalog", query("last", "a/b")))
        .isEqualTo(new Endpoint.Catalog(new Page(Integer.MAX_VALUE, "a/b")));
    assertThat(Endpoint.parse("GET", "/v2/x/tags/list", query("n", "0")))
        .isEqualTo(new Endpoint.Tags(RepositoryName.of("x"), null, new Page(0, null)));
  }

  @Test
  void namespace_isReadFromTheQuery() {
    assertThat(Endpoint.parse("GET", "/v2/library/alpine/manifests/3.20", query("ns", "docker.io")))
        .isEqualTo(
            new Endpoint.Manifest(
                RepositoryName.of("library/alpine"), "docker.io", Tag.parse("3.20")));
    assertThat(Endpoint.parse("GET", "/v2/acme/app/blobs/" + DIGEST, query("ns", "ghcr.io")))
        .isEqualTo(
            new Endpoint.Blob(RepositoryName.of("acme/app"), "ghcr.io", Digest.parse(DIGEST)));
    assertThat(Endpoint.parse("GET", "/v2/acme/app/tags/list", query("ns", "")))
        .isEqualTo(
            new Endpoint.Tags(
                RepositoryName.of("acme/app"), null, new Page(Integer.MAX_VALUE, null)));
  }

  @Test
  void rules_isTheProxysOwnEndpoint() {
    assertThat(get("/_cache-proxy/rules")).isEqualTo(new Endpoint.Rules());
    assertThat(get("/_cache-proxy/storage")).isEqualTo(new Endpoint.Storage());
    assertThat(get("/_cache-proxy/upstreams")).isEqualTo(new Endpoint.Upstreams());
    assertThat(Endpoint.parse("HEAD", "/_cache-proxy/rules", Map.of()))
        .isEqualTo(new Endpoint.Rules());
    assertThat(codeOf(() -> Endpoint.parse("POST", "/_cache-proxy/rules", Map.of())))
        .isEqualTo(OciErrorCode.UNSUPPORTED);
  }

  @ParameterizedTest
  @CsvSource({
    "/_cache-proxy/rules/, NAME_UNKNOWN",
    "/_cache-proxy/rules/x, NAME_UNKNOWN",
    "/_cache-proxy/metrics, NAME_UNKNOWN",
    "/_cache-proxy/, NAME_UNKNOWN",
    "/_cache-proxy, NAME_UNKNOWN",
    "/v2/Library/nginx/manifests/latest, NAME_INVALID",
    "/v2//manifests/latest, NAME_INVALID",
    "/v2/manifests/latest, NAME_INVALID",
    "/v2/a..b/blobs/sha256:abc, NAME_INVALID",
    "/v2/-x/tags/list, NAME_INVALID",
    "/v2/nginx/blobs/sha256:abc, DIGEST_INVALID",
    "/v2/nginx/blobs/md5:" + "0123456789abcdef0123456789abcdef, DIGEST_INVALID",
    "/v2/nginx/blobs/latest, DIGEST_INVALID",
    "/v2/nginx/manifests/sha256:XYZ, DIGEST_INVALID",
    "/v2/nginx/manifests/.hidden, MANIFEST_INVALID",
    "/v2/nginx/manifests/, MANIFEST_INVALID",
    "/v2/nginx, NAME_UNKNOWN",
    "/v2/nginx/manifests/a/b, NAME_UNKNOWN",
    "/v2/nginx/tags, NAME_UNKNOWN",
    "/favicon.ico, NAME_UNKNOWN",
    "/, NAME_UNKNOWN",
    "/v2/nginx/blobs/uploads/, UNSUPPORTED",
    "/v2/nginx/blobs/uploads/1234-5678, UNSUPPORTED",
  })
  void invalidRequests_carryTheParsersCodes(String path, OciErrorCode code) {
    assertThat(codeOf(() -> get(path))).as(path).isEqualTo(code);
  }

  @ParameterizedTest
  @CsvSource({"PUT", "POST", "PATCH", "DELETE", "OPTIONS"})
  void writes_areUnsupported(String method) {
    assertThatThrownBy(() -> Endpoint.parse(method, "/v2/nginx/manifests/latest", Map.of()))
        .isInstanceOf(ProxyException.class)
        .hasMessageContaining(method)
        .hasMessageContaining("read-only pull-through cache")
        .satisfies(
            e -> assertThat(((ProxyException) e).code()).isEqualTo(OciErrorCode.UNSUPPORTED));
  }

  @ParameterizedTest
  @CsvSource({"-1", "10001", "abc", "1.5", "''", "+5", "\u0665", "99999999999999999999", "0x10"})
  void badPageSize_is400(String n) {
    assertThatThrownBy(() -> Endpoint.parse("GET", "/v2/x/tags/list", query("n", n)))
        .isInstanceOfSatisfying(
            ProxyException.class,
            e -> assertThat(e.code()).isEqualTo(OciErrorCode.PAGINATION_NUMBER_INVALID))
        .hasMessageContaining("query parameter n");
  }

  @Test
  void lastLongerThanAnyNameOrTag_is400() {
    assertThat(Endpoint.parse("GET", "/v2/x/tags/list", query("last", "a".repeat(255))))
        .isEqualTo(
            new Endpoint.Tags(
                RepositoryName.of("x"), null, new Page(Integer.MAX_VALUE, "a".repeat(255))));
    assertThatThrownBy(
            () -> Endpoint.parse("GET", "/v2/x/tags/list", query("last", "a".repeat(256))))
        .isInstanceOfSatisfying(
            ProxyException.class,
            e -> assertThat(e.code()).isEqualTo(OciErrorCode.PAGINATION_NUMBER_INVALID))
        .hasMessageContaining("query parameter last");
  }

  @ParameterizedTest
  @CsvSource({"docker.io", "127.0.0.1:5000", "registry.example.test", "[::1]:5000", "GHCR.IO"})
  void namespace_registryHosts_areAccepted(String ns) {
    assertThat(Endpoint.parse("GET", "/v2/a/manifests/v1", query("ns", ns)))
        .isEqualTo(new Endpoint.Manifest(RepositoryName.of("a"), ns, Tag.parse("v1")));
  }

  @ParameterizedTest
  @CsvSource({
    "http://docker.io",
    "docker.io/v2/x",
    "user:pw@docker.io",
    "docker.io?x=1",
    "docker.io#x",
    "'docker.io\r\nX-Injected: 1'",
    "' '",
    "..",
    "-docker.io",
    "docker.io:99999999",
  })
  void namespace_notARegistryHost_isNameInvalid(String ns) {
    assertThatThrownBy(() -> Endpoint.parse("GET", "/v2/a/blobs/" + DIGEST, query("ns", ns)))
        .isInstanceOfSatisfying(
            ProxyException.class, e -> assertThat(e.code()).isEqualTo(OciErrorCode.NAME_INVALID))
        .hasMessageContaining("query parameter ns");
  }

  @Test
  void namespace_tooLong_isNameInvalid_andShortenedInTheMessage() {
    String ns = "a".repeat(250) + ".example";
    assertThatThrownBy(() -> Endpoint.parse("GET", "/v2/a/tags/list", query("ns", ns)))
        .isInstanceOfSatisfying(
            ProxyException.class, e -> assertThat(e.code()).isEqualTo(OciErrorCode.NAME_INVALID))
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(250));
  }
}
