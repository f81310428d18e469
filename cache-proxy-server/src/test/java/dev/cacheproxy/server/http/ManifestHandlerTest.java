/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which of a client's {@code Accept} media types {@link ManifestHandler} passes on. */
class ManifestHandlerTest {

  private static final String OCI = "application/vnd.oci.image.manifest.v1+json";
  private static final String DOCKER = "application/vnd.docker.distribution.manifest.v2+json";

  @Test
  void usable_keepsMediaTypesAndWildcards_inOrder() {
    assertThat(ManifestHandler.usable(List.of(OCI, "*/*", DOCKER, "application/*")))
        .containsExactly(OCI, "*/*", DOCKER, "application/*");
  }

  @Test
  void usable_dropsWhatIsNoMediaType() {
    assertThat(
            ManifestHandler.usable(
                List.of(
                    "a/b/c",
                    "/",
                    "noslash",
                    "\"\"",
                    "text/html\r\nX-Injected: 1",
                    "a b/c",
                    "*/json",
                    "application/" + "x".repeat(200),
                    OCI)))
        .containsExactly(OCI);
  }

  @Test
  void usable_keepsAtMostTheFirst32() {
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      many.add("application/x-junk-" + i);
    }
    many.add(OCI);

    List<String> kept = ManifestHandler.usable(many);

    assertThat(kept).hasSize(ManifestHandler.MAX_ACCEPTED_TYPES).doesNotContain(OCI);
    assertThat(kept.get(0)).isEqualTo("application/x-junk-0");
  }
}
