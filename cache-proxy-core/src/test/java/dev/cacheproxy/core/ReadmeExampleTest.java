/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.rules.RepositoryName;
import dev.cacheproxy.rules.Rule;
import dev.cacheproxy.rules.RuleSet;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the README's embedding example compiling and working: the body of run() is the README's.
 */
class ReadmeExampleTest {

  @StartStop private final MockWebServer upstream = new MockWebServer();
  @TempDir Path cache;

  @Test
  void readmeExample_pullsManifestAndLayerThroughTheLibrary() throws Exception {
    byte[] layerBytes = "layer".getBytes(StandardCharsets.UTF_8);
    Digest layerDigest = Digest.sha256(layerBytes);
    byte[] manifest =
        ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"layers\":[{\"digest\":\""
                + layerDigest
                + "\",\"size\":5}]}")
            .getBytes(StandardCharsets.UTF_8);
    upstream.enqueue(
        new MockResponse.Builder()
            .addHeader("Content-Type", "application/vnd.oci.image.manifest.v1+json")
            .body(new okio.Buffer().write(manifest))
            .build());
    upstream.enqueue(new MockResponse.Builder().body(new okio.Buffer().write(layerBytes)).build());
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    ManifestResult result =
        run("http://127.0.0.1:" + upstream.getPort() + "/*", cache, layerDigest, out);

    assertThat(result.status()).isEqualTo(CacheStatus.MISS);
    assertThat(result.manifest().content()).isEqualTo(manifest);
    assertThat(out.toByteArray()).isEqualTo(layerBytes);
    assertThat(upstream.takeRequest().getTarget()).isEqualTo("/v2/library/app/manifests/1.0");
  }

  private static ManifestResult run(
      String localSource, Path cacheDir, Digest layer, OutputStream out) throws Exception {
    // --- README example ---
    RuleSet rules =
        RuleSet.of(
            List.of(
                Rule.of("hub", "hub/*", "docker.io/*"), Rule.of("local", "local/*", localSource)));

    try (CacheProxy proxy = CacheProxy.builder().rules(rules).dataDirectory(cacheDir).build()) {
      RepositoryName repo = RepositoryName.of("local/library/app");
      ManifestResult result = proxy.manifest(repo, Reference.parse("1.0"), List.of());
      System.out.println(result.manifest().digest() + " " + result.status());

      try (BlobStream blob = proxy.blob(repo, layer);
          InputStream in = blob.open(0)) {
        in.transferTo(out);
      }
      return result;
    }
    // --- end of README example ---
  }
}
