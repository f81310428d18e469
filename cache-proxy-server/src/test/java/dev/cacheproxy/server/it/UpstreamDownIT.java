/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import static dev.cacheproxy.server.it.TestImages.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
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

    // The failures while the registry is down open its circuit; a short openFor lets trial calls
    // find it back within the test (UpstreamFaultsIT recovers with the default 30 s).
    String yaml =
        InProcessProxy.configYaml(
            registry().hostPort(),
            """
            upstream:
              circuitBreaker:
                openFor: 1s
            """);
    try (InProcessProxy proxy = InProcessProxy.start(yaml, tmp.resolve("data"))) {
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
            proxy.get("/v2/" + InProcessProxy.PREFIX + REPO + "/manifests/uncached");
        assertThat(response.statusCode()).as("status while the upstream is down").isEqualTo(503);
        assertThat(response.body())
            .as("the OCI error names the code and the unreachable upstream")
            .contains("UNAVAILABLE")
            .contains(registry().hostPort());
      } finally {
        registry().start();
      }

      Path afterRecovery = tmp.resolve("after-recovery");
      AtomicReference<String> last = new AtomicReference<>("");
      Poll.until(
          "a cold pull to succeed once the upstream is back",
          Duration.ofSeconds(30),
          () -> {
            Skopeo.Result result = skopeo().tryCopy(proxy.ref(REPO, "uncached"), afterRecovery);
            last.set(result.describe("ended"));
            return result.exitCode() == 0;
          },
          () -> "; last attempt: " + last.get());
      Folders.assertIdentical(directUncached, afterRecovery);
    }
  }
}
