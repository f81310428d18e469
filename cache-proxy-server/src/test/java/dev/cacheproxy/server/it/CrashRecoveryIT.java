/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import static dev.cacheproxy.server.it.TestImages.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.core.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kills the packaged server with SIGKILL while several cold pulls of large layers are filling the
 * cache, restarts it on the same data directory and pulls every image again: what the restarted
 * server serves is byte-identical to what was pushed, and nothing half-written is left behind.
 */
class CrashRecoveryIT extends EndToEndTestBase {

  private static final Logger LOG = LoggerFactory.getLogger(CrashRecoveryIT.class);

  private static final String REPO = "it/crash-recovery-";
  private static final int IMAGES = 3;
  private static final int CLIENTS_PER_IMAGE = 2;
  private static final long LARGE_LAYER = 128 * MIB;
  private static final long SMALLER_LAYER = 64 * MIB;

  /** A fill counts as under way once it has written this much. */
  private static final long FILL_PROGRESS = MIB;

  private static final Duration FILLS_TIMEOUT = Duration.ofSeconds(60);
  private static final int SIGKILL_EXIT_CODE = 128 + 9;

  @Test
  void sigkillDuringColdPulls_restartServesByteIdenticalImages(@TempDir Path tmp) throws Exception {
    List<TestImages.Image> images = new ArrayList<>();
    for (int i = 0; i < IMAGES; i++) {
      // Odd sizes, so that no two layers line up on a buffer boundary.
      TestImages.Image image =
          TestImages.write(
              tmp.resolve("layout-" + i),
              "v1",
              6600 + i,
              LARGE_LAYER + 4099L * i,
              SMALLER_LAYER + 131L * i);
      skopeo().push(image.layout(), "v1", registry().ref(REPO + i, "v1"));
      images.add(image);
    }
    Path serverDir = tmp.resolve("server");
    String yaml = InProcessProxy.configYaml(registry());
    CacheDirectory cache = new CacheDirectory(serverDir.resolve("data"));

    List<Path> leftAtKill;
    List<Digest> committedAtKill;
    long firstStart = System.nanoTime();
    try (JarProxy first = JarProxy.start(serverDir, yaml)) {
      LOG.info(
          "first start on an empty data directory: {} ms until the server answered",
          Duration.ofNanos(System.nanoTime() - firstStart).toMillis());
      ExecutorService clients = Executors.newFixedThreadPool(IMAGES * CLIENTS_PER_IMAGE);
      try {
        List<Future<Skopeo.Result>> pulls = new ArrayList<>();
        for (int i = 0; i < IMAGES; i++) {
          String ref = first.ref(InProcessProxy.PREFIX + REPO + i, "v1");
          for (int c = 0; c < CLIENTS_PER_IMAGE; c++) {
            Path dest = tmp.resolve("cold-" + i + "-" + c);
            pulls.add(clients.submit(() -> skopeo().tryCopy(ref, dest)));
          }
        }
        // Kill when a layer is complete and others are half-written: the smaller layers finish
        // while the larger ones are about half way.
        Poll.until(
            "a committed layer and a fill under way",
            FILLS_TIMEOUT,
            () ->
                !cache.committedBlobsOfAtLeast(SMALLER_LAYER).isEmpty()
                    && cache.blobFillsWithAtLeast(FILL_PROGRESS) > 0,
            () -> cache.describe() + first.logTail());

        assertThat(first.kill()).as("exit code of the SIGKILLed JVM").isEqualTo(SIGKILL_EXIT_CODE);
        leftAtKill = cache.tempFiles();
        committedAtKill = cache.committedBlobsOfAtLeast(SMALLER_LAYER);
        LOG.info(
            "SIGKILL with {} temp files left ({} bytes) and {} layers committed",
            leftAtKill.size(),
            leftAtKill.stream().mapToLong(CrashRecoveryIT::size).sum(),
            committedAtKill.size());
        for (Future<Skopeo.Result> pull : pulls) {
          // Each ends one way or the other (most fail on the dropped connection); none may hang.
          result(pull);
        }
      } finally {
        clients.shutdownNow();
        clients.awaitTermination(1, TimeUnit.MINUTES);
      }
    }
    assertThat(leftAtKill)
        .as("temp files the killed server left: the kill landed in the middle of fills")
        .isNotEmpty();

    long restartStart = System.nanoTime();
    try (JarProxy second = JarProxy.start(serverDir, yaml)) {
      Duration restart = Duration.ofNanos(System.nanoTime() - restartStart);
      LOG.info(
          "restart after SIGKILL with {} temp files left: {} ms until the server answered",
          leftAtKill.size(),
          restart.toMillis());
      second
          .process()
          .output()
          .lines()
          .filter(line ->
              line.contains("listening on") || line.toLowerCase(Locale.ROOT).contains("recover"))
          .forEach(line -> LOG.info("restarted server: {}", line));
      assertThat(cache.tempFiles())
          .as("temp files after the restart (before any pull)%s", second.logTail())
          .isEmpty();
      assertThat(cache.committedBlobsOfAtLeast(SMALLER_LAYER))
          .as("the layers committed before the kill are kept")
          .containsAll(committedAtKill);
      cache.assertEveryBlobMatchesItsDigest();

      int beforePulls = registry().settledRequests().size();
      for (int i = 0; i < IMAGES; i++) {
        Path pulled = tmp.resolve("after-restart-" + i);
        Skopeo.Result result =
            skopeo().tryCopy(second.ref(InProcessProxy.PREFIX + REPO + i, "v1"), pulled);
        assertThat(result.exitCode())
            .as("%s%s", result.describe("ended"), second.logTail())
            .isZero();
        PulledImage.assertIdentical(images.get(i), pulled);
      }
      List<AccessLogEntry> upstream =
          AccessLogEntry.since(registry().settledRequests(), beforePulls);
      for (int i = 0; i < IMAGES; i++) {
        assertThat(AccessLogEntry.blobGets(upstream, REPO + i).keySet())
            .as(
                "upstream blob GETs of %s after the restart: none of a layer committed before",
                REPO + i)
            .doesNotContainAnyElementsOf(committedAtKill);
      }
      assertThat(second.process().isAlive())
          .as("the restarted proxy is still running%s", second.logTail())
          .isTrue();
      assertThat(cache.tempFiles()).as("temp files after the pulls").isEmpty();
      cache.assertEveryBlobMatchesItsDigest();
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The outcome of a pull, or its own failure rather than a wrapper. */
  private static Skopeo.Result result(Future<Skopeo.Result> pull) throws Exception {
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
