/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import static dev.cacheproxy.server.it.TestImages.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Eight skopeo clients pull the same uncached image through the proxy at once. */
class ConcurrentPullIT extends EndToEndTestBase {

  private static final String REPO = "it/concurrent";
  private static final int CLIENTS = 8;

  @Test
  void concurrentColdPulls_allSucceed_andFetchEachBlobUpstreamOnce(@TempDir Path tmp)
      throws Exception {
    TestImages.Image image =
        TestImages.write(tmp.resolve("layout"), "v1", 2002, 4096, 8 * MIB, 48 * MIB);
    skopeo().push(image.layout(), "v1", registry().ref(REPO, "v1"));
    Path direct = tmp.resolve("direct");
    skopeo().copy(registry().ref(REPO, "v1"), direct);
    int before = registry().settledRequests().size();

    try (InProcessProxy proxy = InProcessProxy.start(registry(), tmp.resolve("data"))) {
      ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
      try {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Path>> pulls = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
          Path dest = tmp.resolve("client-" + i);
          pulls.add(
              pool.submit(() -> {
                assertThat(go.await(1, TimeUnit.MINUTES)).as("start signal").isTrue();
                skopeo().copy(proxy.ref(REPO, "v1"), dest);
                return dest;
              }));
        }
        go.countDown();
        for (Future<Path> pull : pulls) {
          Folders.assertIdentical(direct, result(pull));
        }
      } finally {
        pool.shutdownNow(); // interrupts clients still running; Skopeo kills their processes
        pool.awaitTermination(1, TimeUnit.MINUTES);
      }

      List<AccessLogEntry> requests =
          registry()
              .awaitRequests(
                  entries ->
                      AccessLogEntry.blobGets(AccessLogEntry.since(entries, before), REPO)
                          .keySet()
                          .containsAll(image.blobDigests()),
                  "a GET of every blob of " + REPO + " by the proxy");
      assertThat(AccessLogEntry.blobGets(AccessLogEntry.since(requests, before), REPO))
          .as("upstream GETs per blob for %d concurrent cold pulls", CLIENTS)
          .containsOnlyKeys(image.blobDigests())
          .allSatisfy((digest, count) -> assertThat(count).as("GETs of %s", digest).isOne());
    }
  }

  /** The pull's folder, or its own failure (such as skopeo's stderr) rather than a wrapper. */
  private static Path result(Future<Path> pull) throws Exception {
    try {
      return pull.get(Skopeo.TIMEOUT.toSeconds() + 60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e;
    }
  }
}
