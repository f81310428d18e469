/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import static dev.cacheproxy.server.it.TestImages.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar's {@code /metrics} after known pulls, asserted exactly: image A pulled cold,
 * then warm, then image B by four concurrent skopeo processes. The proxy's counters are scraped
 * after each phase, so each phase's deltas are checked on their own.
 *
 * <p>What skopeo asks ({@code skopeo copy docker://… dir:…}, single-platform OCI image): one {@code
 * GET} of the manifest by tag, then one {@code GET} of each blob (config and layers); its {@code
 * GET /v2/} ping is not a manifest, blob or tag request and is not counted. A blob is never asked
 * with {@code HEAD} when copying into a folder. The numbers below follow from that.
 */
class MetricsIT extends EndToEndTestBase {

  private static final String REPO_A = "it/metrics-a";
  private static final String REPO_B = "it/metrics-b";
  private static final int CONCURRENT_PULLS = 4;

  private static final String REQUESTS = "cacheproxy_requests_total";
  private static final String FILLS = "cacheproxy_fills_total";
  private static final String JOINS = "cacheproxy_singleflight_joins_total";
  private static final String UPSTREAM_BYTES = "cacheproxy_upstream_bytes_total";
  private static final String SERVED_BYTES = "cacheproxy_served_bytes_total";

  /** A tag stays fresh for an hour, so a second pull of it is a manifest hit, not revalidated. */
  private static String config(RegistryProcess upstream) {
    return """
    rules:
      - name: upstream
        target: "up/*"
        source: "http://%s/*"
        tagFreshness: 1h
    """
        .formatted(upstream.hostPort());
  }

  private static long requests(PrometheusText m, String kind, String result) {
    return m.count(REQUESTS, "kind", kind, "result", result, "rule", "upstream");
  }

  private static long size(TestImages.Image image) {
    return image.config().size() + image.layers().stream().mapToLong(d -> d.size()).sum();
  }

  @Test
  void metrics_countColdWarmAndConcurrentPulls_exactly(@TempDir Path tmp) throws Exception {
    TestImages.Image a = TestImages.write(tmp.resolve("a"), "v1", 501, 1 * MIB + 3, 3 * MIB + 7);
    TestImages.Image b = TestImages.write(tmp.resolve("b"), "v1", 502, 2 * MIB + 11, 48 * MIB + 13);
    skopeo().push(a.layout(), "v1", registry().ref(REPO_A, "v1"));
    skopeo().push(b.layout(), "v1", registry().ref(REPO_B, "v1"));
    String upstreamHost = registry().hostPort();
    int blobsA = a.blobDigests().size(); // config + 2 layers = 3
    int blobsB = b.blobDigests().size(); // 3

    try (AdminJarProxy proxy = AdminJarProxy.start(tmp.resolve("proxy"), config(registry()))) {
      PrometheusText start = proxy.metrics();
      assertThat(requests(start, "manifest", "miss")).isZero();
      assertThat(start.count(FILLS, "result", "complete")).isZero();

      // ---- A, cold: the manifest and every blob are misses, each blob filled once from upstream.
      skopeo().copy(proxy.ref(REPO_A, "v1"), tmp.resolve("cold"));
      PrometheusText cold = proxy.metrics();
      report("after the cold pull of A", cold);
      assertThat(requests(cold, "manifest", "miss")).isEqualTo(1);
      assertThat(requests(cold, "manifest", "hit")).isZero();
      assertThat(requests(cold, "blob", "miss")).isEqualTo(blobsA);
      assertThat(requests(cold, "blob", "hit")).isZero();
      assertThat(cold.count(FILLS, "result", "complete")).isEqualTo(blobsA);
      assertThat(cold.count(FILLS, "result", "failed")).isZero();
      // cacheproxy.upstream.bytes counts only blob bodies (BlobPuller's counting stream), not
      // manifests: after the cold pull it is exactly the config and the layers of A.
      assertThat(cold.count(UPSTREAM_BYTES, "registry", upstreamHost)).isEqualTo(size(a));
      assertThat(cold.count(SERVED_BYTES, "kind", "blob", "result", "miss")).isEqualTo(size(a));
      assertThat(cold.count(SERVED_BYTES, "kind", "manifest", "result", "miss"))
          .isEqualTo(a.manifest().size());
      assertThat(cold.count(JOINS, "kind", "blob")).isZero();

      // ---- A, warm: everything is a hit; nothing more comes from upstream.
      skopeo().copy(proxy.ref(REPO_A, "v1"), tmp.resolve("warm"));
      PrometheusText warm = proxy.metrics();
      report("after the warm pull of A", warm);
      assertThat(requests(warm, "manifest", "miss")).isEqualTo(1);
      assertThat(requests(warm, "manifest", "hit")).isEqualTo(1);
      assertThat(requests(warm, "blob", "miss")).isEqualTo(blobsA);
      assertThat(requests(warm, "blob", "hit")).isEqualTo(blobsA);
      assertThat(warm.count(FILLS, "result", "complete")).isEqualTo(blobsA);
      assertThat(warm.count(UPSTREAM_BYTES, "registry", upstreamHost)).isEqualTo(size(a));
      assertThat(warm.count(SERVED_BYTES, "kind", "blob", "result", "hit")).isEqualTo(size(a));
      assertThat(warm.count(SERVED_BYTES, "kind", "manifest", "result", "hit"))
          .isEqualTo(a.manifest().size());
      PulledImage.assertIdentical(a, tmp.resolve("warm"));

      // ---- B, four pulls at once.
      List<Path> pulled = new ArrayList<>();
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(CONCURRENT_PULLS);
      try {
        List<Future<?>> pulls = new ArrayList<>();
        for (int i = 0; i < CONCURRENT_PULLS; i++) {
          Path dest = tmp.resolve("b" + i);
          pulled.add(dest);
          pulls.add(
              pool.submit(() -> {
                go.await();
                skopeo().copy(proxy.ref(REPO_B, "v1"), dest);
                return null;
              }));
        }
        go.countDown();
        for (Future<?> pull : pulls) {
          pull.get();
        }
      } finally {
        pool.shutdownNow();
      }
      for (Path dest : pulled) {
        PulledImage.assertIdentical(b, dest);
      }
      PrometheusText after = proxy.metrics();
      report("after " + CONCURRENT_PULLS + " concurrent pulls of B", after);
      // Single flight: each blob of B is fetched from upstream once, however the pulls interleave.
      assertThat(after.count(FILLS, "result", "complete")).isEqualTo(blobsA + blobsB);
      assertThat(after.count(FILLS, "result", "failed")).isZero();
      assertThat(after.count(UPSTREAM_BYTES, "registry", upstreamHost))
          .isEqualTo(size(a) + size(b));
      // Every pull asked once for the manifest and once for each blob; whether a request was a
      // miss (it started or joined a fill, or the manifest fetch) or a hit (it came after the
      // commit) depends on timing, so only the sums are exact, plus: at least the first request
      // for each was a miss.
      long manifestB =
          requests(after, "manifest", "miss")
              + requests(after, "manifest", "hit")
              - requests(warm, "manifest", "miss")
              - requests(warm, "manifest", "hit");
      assertThat(manifestB).isEqualTo(CONCURRENT_PULLS);
      assertThat(requests(after, "manifest", "miss") - requests(warm, "manifest", "miss"))
          .isBetween(1L, (long) CONCURRENT_PULLS);
      long blobMissesB = requests(after, "blob", "miss") - requests(warm, "blob", "miss");
      long blobHitsB = requests(after, "blob", "hit") - requests(warm, "blob", "hit");
      assertThat(blobMissesB + blobHitsB).isEqualTo((long) CONCURRENT_PULLS * blobsB);
      assertThat(blobMissesB).isBetween((long) blobsB, (long) CONCURRENT_PULLS * blobsB);
      // Joins: a request that finds a fill of its blob in flight and is served from it as a miss
      // joins it; the first request for each blob started the fill. A request after the commit,
      // or one that found every byte verified, is a hit and no join. So, however the four
      // processes interleave, the blob joins are exactly the misses that did not start a fill.
      long joins = after.count(JOINS, "kind", "blob");
      assertThat(joins).isEqualTo(blobMissesB - blobsB);
      // Manifests are small and served from memory or the store: every request got the whole one.
      assertThat(
              after.count(SERVED_BYTES, "kind", "manifest", "result", "hit")
                  + after.count(SERVED_BYTES, "kind", "manifest", "result", "miss"))
          .isEqualTo(2 * a.manifest().size() + CONCURRENT_PULLS * b.manifest().size());
      // Served bytes: every blob request of every pull got the whole blob, hit or miss.
      assertThat(
              after.count(SERVED_BYTES, "kind", "blob", "result", "hit")
                  + after.count(SERVED_BYTES, "kind", "blob", "result", "miss"))
          .isEqualTo(2 * size(a) + CONCURRENT_PULLS * size(b));
      System.out.printf(
          "MetricsIT: B: %d blob misses, %d blob hits, %d blob joins, %d manifest joins%n",
          blobMissesB, blobHitsB, joins, after.count(JOINS, "kind", "manifest"));
    }
  }

  private static void report(String phase, PrometheusText m) {
    System.out.println("MetricsIT: " + phase + ":");
    m.startingWith("cacheproxy_requests_total")
        .forEach((k, v) -> System.out.println("  " + k + " " + v));
    m.startingWith("cacheproxy_fills_total")
        .forEach((k, v) -> System.out.println("  " + k + " " + v));
    m.startingWith("cacheproxy_singleflight")
        .forEach((k, v) -> System.out.println("  " + k + " " + v));
    m.startingWith("cacheproxy_upstream_bytes")
        .forEach((k, v) -> System.out.println("  " + k + " " + v));
    m.startingWith("cacheproxy_served_bytes")
        .forEach((k, v) -> System.out.println("  " + k + " " + v));
  }
}
