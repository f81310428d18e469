/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import static dev.cacheproxy.server.it.TestImages.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stops the upstream registry under a warm proxy, then brings it back. */
class UpstreamDownIT extends EndToEndTestBase {

  private static final String REPO = "it/upstream-down";

  @Test
  void upstreamDown_servesCachedTag_failsUncachedTag_andRecovers(@TempDir Path tmp)
      throws Exception {
    TestImages.Image cached =
        TestImages.write(tmp.resolve("layout-cached"), "cached", 3003, 2048, 2 * MIB);
    TestImages.Image uncached =
        TestImages.write(tmp.resolve("layout-uncached"), "uncached", 3004, 2048, 2 * MIB);
    skopeo().push(cached.layout(), "cached", registry().ref(REPO, "cached"));
    skopeo().push(uncached.layout(), "uncached", registry().ref(REPO, "uncached"));
    Path directCached = tmp.resolve("direct-cached");
    Path directUncached = tmp.resolve("direct-uncached");
    skopeo().copy(registry().ref(REPO, "cached"), directCached);
    skopeo().copy(registry().ref(REPO, "uncached"), directUncached);

    try (InProcessProxy proxy = InProcessProxy.start(registry(), tmp.resolve("data"))) {
      Path warmUp = tmp.resolve("warm-up");
      skopeo().copy(proxy.ref(REPO, "cached"), warmUp);
      Folders.assertIdentical(directCached, warmUp);

      registry().stop();
      try {
        Path whileDown = tmp.resolve("while-down");
        skopeo().copy(proxy.ref(REPO, "cached"), whileDown);
        Folders.assertIdentical(directCached, whileDown);

        Skopeo.Result failed = skopeo().tryCopy(proxy.ref(REPO, "uncached"), tmp.resolve("fail"));
        assertThat(failed.exitCode())
            .as(
                "pulling an uncached tag while the upstream is down must fail: %s",
                failed.describe("ended"))
            .isNotZero();
        assertThat(failed.stderr())
            .as("skopeo names the manifest and the proxy's status")
            .contains("uncached")
            .contains("503");
        HttpResponse<String> response =
            get(proxy, "/v2/" + InProcessProxy.PREFIX + REPO + "/manifests/uncached");
        assertThat(response.statusCode()).as("status while the upstream is down").isEqualTo(503);
        assertThat(response.body())
            .as("the OCI error names the code and the unreachable upstream")
            .contains("UNAVAILABLE")
            .contains(registry().hostPort());
      } finally {
        registry().start();
      }

      Path afterRecovery = tmp.resolve("after-recovery");
      skopeo().copy(proxy.ref(REPO, "uncached"), afterRecovery);
      Folders.assertIdentical(directUncached, afterRecovery);
    }
  }

  private static HttpResponse<String> get(InProcessProxy proxy, String path) throws Exception {
    try (HttpClient http = HttpClient.newHttpClient()) {
      return http.send(
          HttpRequest.newBuilder(URI.create("http://" + proxy.hostPort() + path))
              .timeout(Duration.ofSeconds(30))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    }
  }
}
