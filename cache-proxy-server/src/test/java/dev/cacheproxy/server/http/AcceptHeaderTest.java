/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AcceptHeaderTest {

  @Test
  void absent_isEmpty() {
    assertThat(AcceptHeader.mediaTypes(null)).isEmpty();
  }

  @Test
  void splitsCommas_dropsParameters_trims_andKeepsOrder() {
    List<String> types =
        AcceptHeader.mediaTypes(
            List.of(
                "application/vnd.oci.image.index.v1+json,"
                    + " application/vnd.docker.distribution.manifest.list.v2+json;q=0.9",
                " application/vnd.oci.image.manifest.v1+json ; q=0.5 ,, ",
                "application/vnd.docker.distribution.manifest.v2+json",
                "application/vnd.oci.image.index.v1+json"));

    assertThat(types)
        .containsExactly(
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json");
  }

  @Test
  void onlyEmptyEntries_isEmpty() {
    assertThat(AcceptHeader.mediaTypes(List.of(" , ;q=1", ""))).isEmpty();
  }
}
