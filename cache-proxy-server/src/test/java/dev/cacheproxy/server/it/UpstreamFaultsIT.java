/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import static dev.cacheproxy.server.it.TestImages.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.core.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pulls through a proxy whose upstream misbehaves: a {@link FaultyTcpProxy} between the proxy and
 * the real registry resets, stalls and throttles connections, or the registry is stopped outright.
 */
class UpstreamFaultsIT extends EndToEndTestBase {

  private static final String REPO = "it/upstream-faults";
  private static final int PULLS = 100;

  /**
   * How many skopeo processes run at once. 100 at once overload a 2-core CI machine (each skopeo
   * hashes and writes its layers); 20 at a time still keeps every fill shared by many readers.
   */
  private static final int CONCURRENT = 20;

  private static final long FAULT_SEED = 52;

  /** A cold pull of an image nobody has must fail within this when the upstream is down. */
  private static final Duration FAIL_FAST = Duration.ofSeconds(15);

  @Test
  void coldPullsThroughResets_allSucceedByteIdentical(@TempDir Path tmp) throws Exception {
    long[] largeLayers = {32 * MIB, 40 * MIB, 48 * MIB, 64 * MIB};
    List<TestImages.Image> images = new ArrayList<>();
    for (int i = 0; i < largeLayers.length; i++) {
      String tag = "large-" + i;
      TestImages.Image image =
          TestImages.write(tmp.resolve("layout-" + i), tag, 7001 + i, 4096, largeLayers[i]);
      skopeo().push(image.layout(), tag, registry().ref(REPO, tag));
      images.add(image);
    }
    long imageBytes =
        images.stream()
            .mapToLong(image ->
                image.manifest().size()
                    + image.config().size()
                    + image.layers().stream().mapToLong(OciLayout.Descriptor::size).sum())
            .sum();

    int before = registry().settledRequests().size();

    // Faults hit blob bodies of 1 MiB or more: the large layers, and the ranged requests that
    // resume them. Seed 52 gives the first four such responses a throttle, two resets and a stall;
    // every resumed request draws again (20% reset, 10% stall, 10% throttle).
    FaultyTcpProxy.Faults faults =
        new FaultyTcpProxy.Faults(0.2, 0.1, Duration.ofSeconds(2), 0.1, 32 * MIB, MIB);
    try (FaultyTcpProxy faulty = FaultyTcpProxy.start(registry().port(), FAULT_SEED, faults);
        InProcessProxy proxy =
            InProcessProxy.start(
                InProcessProxy.configYaml(faulty.hostPort(), ""), tmp.resolve("data"))) {
      ExecutorService pool = Executors.newFixedThreadPool(CONCURRENT);
      long start = System.nanoTime();
      List<Future<Optional<String>>> pulls = new ArrayList<>();
      try {
        CountDownLatch go = new CountDownLatch(1);
        for (int i = 0; i < PULLS; i++) {
          TestImages.Image image = images.get(i % images.size());
          Path dest = tmp.resolve("pull-" + i);
          pulls.add(
              pool.submit(() -> {
                assertThat(go.await(1, TimeUnit.MINUTES)).as("start signal").isTrue();
                return pullAndCheck(proxy.ref(REPO, image.tag()), image, dest);
              }));
        }
        go.countDown();
        List<String> failures = new ArrayList<>();
        for (Future<Optional<String>> pull : pulls) {
          result(pull).ifPresent(failures::add);
        }
        Duration wall = Duration.ofNanos(System.nanoTime() - start);
        String report =
            "%d cold pulls (%d at a time) of %d images in %d ms; %d failed; upstream bytes through the faulty TCP proxy %d vs %d bytes in the images (ratio %.3f); %s"
                .formatted(
                    PULLS,
                    CONCURRENT,
                    images.size(),
                    wall.toMillis(),
                    failures.size(),
                    faulty.bytesToClient(),
                    imageBytes,
                    (double) faulty.bytesToClient() / imageBytes,
                    faulty.stats());
        System.out.println("UpstreamFaultsIT: " + report);
        assertThat(failures)
            .as("pulls that failed or differ from the pushed image; %s", report)
            .isEmpty();
        assertThat(List.of(faulty.resets(), faulty.stalls(), faulty.throttled()))
            .as(
                "resets, stalls and throttled responses (a zero: that fault never happened); %s",
                report)
            .allSatisfy(count -> assertThat(count).isPositive());
        assertThat(faulty.bytesToClient())
            .as(
                "upstream bytes: each blob fetched about once, a resumed fill fetches only the"
                    + " rest; %s",
                report)
            .isLessThan(imageBytes * 3 / 2);
      } finally {
        pool.shutdownNow(); // interrupts clients still running; Skopeo kills their processes
        pool.awaitTermination(1, TimeUnit.MINUTES);
      }
    }

    // The registry logs each blob GET with its status: one whole (200) fetch per blob, and every
    // other GET of it a ranged (206) resume, never a second fetch from the start.
    Map<Digest, List<Integer>> statuses = new TreeMap<>();
    for (AccessLogEntry entry : AccessLogEntry.since(registry().settledRequests(), before)) {
      if (entry.isBlobGet() && entry.blobRepository().orElseThrow().equals(REPO)) {
        statuses
            .computeIfAbsent(entry.blobDigest().orElseThrow(), d -> new ArrayList<>())
            .add(entry.status());
      }
    }
    System.out.println("UpstreamFaultsIT: upstream blob GET statuses " + statuses);
    assertThat(statuses)
        .as("statuses of the upstream GETs of each blob")
        .containsOnlyKeys(images.stream().flatMap(i -> i.blobDigests().stream()).toList())
        .allSatisfy((digest, codes) ->
            assertThat(codes)
                .as("GETs of %s: one whole fetch, then only ranged resumes", digest)
                .containsOnlyOnce(200)
                .isSubsetOf(200, 206));

    // The reference, measured in the same run: skopeo pulling straight from the registry through
    // the same faults (no cache, no resume). Reported, not asserted: it shows what the proxy saves.
    try (FaultyTcpProxy direct = FaultyTcpProxy.start(registry().port(), FAULT_SEED, faults)) {
      int directPulls = 2 * images.size();
      int directFailed = 0;
      for (int i = 0; i < directPulls; i++) {
        TestImages.Image image = images.get(i % images.size());
        String ref = "docker://" + direct.hostPort() + "/" + REPO + ":" + image.tag();
        if (pullAndCheck(ref, image, tmp.resolve("direct-" + i)).isPresent()) {
          directFailed++;
        }
      }
      System.out.println(
          "UpstreamFaultsIT: reference, %d direct pulls through the same faults: %d failed; %d bytes fetched; %s"
              .formatted(directPulls, directFailed, direct.bytesToClient(), direct.stats()));
    }
  }

  @Test
  void upstreamStopped_warmPullsSucceed_coldPullsFailFast_andRecover(@TempDir Path tmp)
      throws Exception {
    TestImages.Image cached =
        TestImages.write(tmp.resolve("layout-cached"), "cached", 7101, 2048, 3 * MIB);
    TestImages.Image uncached =
        TestImages.write(tmp.resolve("layout-uncached"), "uncached", 7102, 2048, 3 * MIB);
    skopeo().push(cached.layout(), "cached", registry().ref(REPO, "cached"));
    skopeo().push(uncached.layout(), "uncached", registry().ref(REPO, "uncached"));
    String name = InProcessProxy.PREFIX + REPO;

    // A plain relay: once the registry is down, the upstream accepts TCP connections and closes
    // them at once, like a load balancer in front of a dead backend (UpstreamDownIT covers a
    // refused connection). The packaged jar prints its access log, which the test reads.
    try (FaultyTcpProxy relay =
            FaultyTcpProxy.start(registry().port(), 0, FaultyTcpProxy.Faults.none());
        JarProxy proxy =
            JarProxy.start(tmp.resolve("jar"), InProcessProxy.configYaml(relay.hostPort(), ""))) {
      PulledImage.assertIdentical(cached, pull(proxy.ref(name, "cached"), tmp.resolve("warm-up")));
      String byDigest =
          proxy.ref(name, "cached").replace(":cached", "@" + cached.manifest().digest());

      registry().stop();
      try {
        int mark = proxy.process().outputMark();
        PulledImage.assertIdentical(cached, pull(proxy.ref(name, "cached"), tmp.resolve("tag")));
        assertThat(proxy.process().awaitOutput(mark, "/manifests/cached ", Duration.ofSeconds(10)))
            .as("access log of the tag while the upstream is down: the cached manifest, stale")
            .contains(" 200 ")
            .contains("STALE");
        PulledImage.assertIdentical(cached, pull(byDigest, tmp.resolve("digest")));

        for (int attempt = 1; attempt <= 2; attempt++) {
          mark = proxy.process().outputMark();
          long start = System.nanoTime();
          Skopeo.Result failed =
              skopeo().tryCopy(proxy.ref(name, "uncached"), tmp.resolve("cold-" + attempt));
          Duration took = Duration.ofNanos(System.nanoTime() - start);
          assertThat(failed.exitCode())
              .as("cold pull %d while the upstream is down: %s", attempt, failed.describe("ended"))
              .isNotZero();
          assertThat(took)
              .as(
                  "cold pull %d fails fast, not after a hang: %s",
                  attempt, failed.describe("ended"))
              .isLessThan(FAIL_FAST);
          assertThat(failed.stderr())
              .as("skopeo names the manifest and the proxy's status")
              .contains("uncached")
              .contains("503");
          assertThat(
                  proxy.process().awaitOutput(mark, "/manifests/uncached ", Duration.ofSeconds(10)))
              .as("access log of the cold manifest while the upstream is down")
              .contains(" 503 ");
          System.out.println(
              "UpstreamFaultsIT: cold pull " + attempt + " failed in " + took.toMillis() + " ms");
        }
        HttpResponse<String> response = proxy.get("/v2/" + name + "/manifests/uncached");
        assertThat(response.statusCode()).as("status while the upstream is down").isEqualTo(503);
        assertThat(response.body())
            .as("a clean OCI error: code and the unreachable upstream")
            .startsWith("{\"errors\":[")
            .contains("\"UNAVAILABLE\"")
            .contains(relay.hostPort());
        assertThat(relay.upstreamRefused())
            .as("connections the relay closed because the registry was down; %s", relay.stats())
            .isPositive();
      } finally {
        registry().start();
      }

      // No restart of the proxy: it must notice by itself that the upstream is back (a circuit
      // breaker may keep it away for a while).
      long start = System.nanoTime();
      AtomicInteger attempts = new AtomicInteger();
      AtomicReference<String> last = new AtomicReference<>("");
      Path recovered = tmp.resolve("recovered");
      Poll.until(
          "a cold pull to succeed once the upstream is back",
          Duration.ofSeconds(90),
          () -> {
            deleteRecursively(recovered);
            Skopeo.Result result = skopeo().tryCopy(proxy.ref(name, "uncached"), recovered);
            attempts.incrementAndGet();
            last.set(result.describe("ended"));
            return result.exitCode() == 0;
          },
          () -> "; last attempt: " + last.get() + proxy.logTail());
      PulledImage.assertIdentical(uncached, recovered);
      System.out.println(
          "UpstreamFaultsIT: recovered after "
              + Duration.ofNanos(System.nanoTime() - start).toMillis()
              + " ms, "
              + attempts.get()
              + " attempt(s)");
    }
  }

  /** Pulls {@code ref} into {@code dest}, checks it and deletes it; returns what went wrong. */
  private static Optional<String> pullAndCheck(String ref, TestImages.Image image, Path dest) {
    Skopeo.Result result = skopeo().tryCopy(ref, dest);
    try {
      if (result.exitCode() != 0) {
        return Optional.of(result.describe("failed"));
      }
      PulledImage.assertIdentical(image, dest);
      return Optional.empty();
    } catch (AssertionError e) {
      return Optional.of(ref + ": " + e.getMessage());
    } finally {
      deleteRecursively(dest);
    }
  }

  private static Path pull(String ref, Path dest) {
    skopeo().copy(ref, dest);
    return dest;
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }

  /** The pull's outcome, or its own failure rather than a wrapper. */
  private static Optional<String> result(Future<Optional<String>> pull) throws Exception {
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
