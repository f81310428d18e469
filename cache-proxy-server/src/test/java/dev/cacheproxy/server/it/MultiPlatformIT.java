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

/** Pulls a linux/amd64 + linux/arm64 image index through the proxy, whole and one platform. */
class MultiPlatformIT extends EndToEndTestBase {

  private static final String REPO = "it/multi-platform";

  @Test
  void copyAll_matchesDirectPull_includingIndexBytes(@TempDir Path tmp) throws Exception {
    TestImages.MultiPlatformImage image =
        TestImages.writeMultiPlatform(tmp.resolve("layout"), "v1", 4004, 3 * MIB);
    skopeo().push(image.layout(), "v1", registry().ref(REPO + "-all", "v1"));
    Path direct = tmp.resolve("direct");
    skopeo().copyAll(registry().ref(REPO + "-all", "v1"), direct);

    try (InProcessProxy proxy = InProcessProxy.start(registry(), tmp.resolve("data"))) {
      Path proxied = tmp.resolve("proxied");
      skopeo().copyAll(proxy.ref(REPO + "-all", "v1"), proxied);

      byte[] pushedIndex =
          Files.readAllBytes(
              image.layout().resolve("blobs/sha256/" + image.index().digest().hex()));
      assertThat(Files.readAllBytes(proxied.resolve("manifest.json")))
          .as("the image index skopeo copied through the proxy, byte for byte as pushed")
          .isEqualTo(pushedIndex);
      assertThat(skopeo().inspectRaw(proxy.ref(REPO + "-all", "v1")))
          .as("the image index the proxy serves by tag, byte for byte as pushed")
          .isEqualTo(pushedIndex);
      Folders.assertIdentical(direct, proxied);
      assertThat(Folders.files(proxied))
          .as("every blob of both platforms")
          .containsAll(image.image("amd64").blobDigests().stream().map(Digest::hex).toList())
          .containsAll(image.image("arm64").blobDigests().stream().map(Digest::hex).toList());
    }
  }

  @Test
  void copyOnePlatform_fetchesOnlyThatPlatformsBlobs(@TempDir Path tmp) throws Exception {
    String repo = REPO + "-arm64";
    TestImages.MultiPlatformImage image =
        TestImages.writeMultiPlatform(tmp.resolve("layout"), "v1", 4005, 3 * MIB);
    skopeo().push(image.layout(), "v1", registry().ref(repo, "v1"));
    Path direct = tmp.resolve("direct");
    skopeo().copyPlatform(registry().ref(repo, "v1"), direct, "linux", "arm64");
    int before = registry().settledRequests().size();

    try (InProcessProxy proxy = InProcessProxy.start(registry(), tmp.resolve("data"))) {
      Path proxied = tmp.resolve("proxied");
      skopeo().copyPlatform(proxy.ref(repo, "v1"), proxied, "linux", "arm64");
      Folders.assertIdentical(direct, proxied);

      List<AccessLogEntry> requests =
          registry()
              .awaitRequests(
                  entries ->
                      AccessLogEntry.blobGets(AccessLogEntry.since(entries, before), repo)
                          .keySet()
                          .containsAll(image.image("arm64").blobDigests()),
                  "a GET of every arm64 blob of " + repo);
      assertThat(AccessLogEntry.blobGets(AccessLogEntry.since(requests, before), repo))
          .as("upstream blob GETs of an arm64-only pull")
          .containsOnlyKeys(image.image("arm64").blobDigests())
          .doesNotContainKeys(image.image("amd64").blobDigests().toArray(Digest[]::new));
    }
  }
}
