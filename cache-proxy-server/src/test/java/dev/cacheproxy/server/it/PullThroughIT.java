/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import static dev.cacheproxy.server.it.TestImages.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.core.Digest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pulls an image with a 100 MiB layer through the proxy cold, then warm, with skopeo. */
class PullThroughIT extends EndToEndTestBase {

  private static final String REPO = "it/pull-through";

  @Test
  void coldAndWarmPulls_matchDirectPull_andWarmPullFetchesNoBlobUpstream(@TempDir Path tmp)
      throws Exception {
    TestImages.Image image =
        TestImages.write(tmp.resolve("layout"), "v1", 1001, 1500, 5 * MIB, 100 * MIB + 12345);
    skopeo().push(image.layout(), "v1", registry().ref(REPO, "v1"));
    Path direct = tmp.resolve("direct");
    skopeo().copy(registry().ref(REPO, "v1"), direct);
    assertThat(Digest.sha256(Files.readAllBytes(direct.resolve("manifest.json"))))
        .as("the pushed manifest keeps its digest")
        .isEqualTo(image.manifest().digest());
    int beforeCold = registry().settledRequests().size();

    try (InProcessProxy proxy = InProcessProxy.start(registry(), tmp.resolve("data"))) {
      Path cold = tmp.resolve("cold");
      skopeo().copy(proxy.ref(REPO, "v1"), cold);
      List<AccessLogEntry> afterCold =
          registry()
              .awaitRequests(
                  entries ->
                      AccessLogEntry.blobGets(AccessLogEntry.since(entries, beforeCold), REPO)
                          .keySet()
                          .containsAll(image.blobDigests()),
                  "a GET of every blob of " + REPO + " by the cold pull");
      assertThat(AccessLogEntry.blobGets(AccessLogEntry.since(afterCold, beforeCold), REPO))
          .as("upstream blob GETs of the cold pull")
          .containsOnlyKeys(image.blobDigests())
          .allSatisfy((digest, count) -> assertThat(count).as("GETs of %s", digest).isOne());

      Path warm = tmp.resolve("warm");
      skopeo().copy(proxy.ref(REPO, "v1"), warm);
      List<AccessLogEntry> warmRequests =
          AccessLogEntry.since(registry().settledRequests(), afterCold.size());
      assertThat(warmRequests)
          .as("upstream requests of the warm pull (a tag revalidation is fine, a blob GET is not)")
          .noneMatch(AccessLogEntry::isBlobGet)
          .as("tagFreshness 0s: the warm pull revalidates the tag upstream")
          .anyMatch(e -> e.path().equals("/v2/" + REPO + "/manifests/v1"));

      Folders.assertIdentical(direct, cold);
      Folders.assertIdentical(direct, warm);
    }
  }
}
