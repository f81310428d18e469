/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks.load;

import dev.cacheproxy.benchmarks.load.Images.Image;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The end-to-end load run: starts a real upstream registry with generated images behind an emulated
 * distant link, cache-proxy and the references, runs every scenario against each system one after
 * another, and writes a Markdown table and a PNG chart. Started by {@code
 * benchmarks/scripts/load.sh}; exits 1 if a pull did not verify or cache-proxy fetched a blob more
 * than once for concurrent clients, 2 on bad options or a missing tool.
 */
@Command(
    name = "load",
    mixinStandardHelpOptions = true,
    description = "cache-proxy against the upstream, distribution's proxy and nginx, in one run.")
public final class LoadRunner implements Callable<Integer> {

  @Option(
      names = "--quick",
      description = "Small images, 1 s phases, 16 clients: about a minute (CI).")
  boolean quick;

  @Option(
      names = "--out",
      description = "Where results.md and results.png go (default: benchmarks/results).")
  Path out = Path.of("benchmarks", "results");

  @Option(
      names = "--proxy-jar",
      required = true,
      description = "cache-proxy-server.jar to measure.")
  Path jar = Path.of("cache-proxy-server.jar");

  @Option(
      names = "--proxy-jvm-options",
      split = " ",
      description = "JVM options of the proxy (default: -Xmx128m).")
  List<String> jvmOptions = new ArrayList<>(List.of("-Xmx128m"));

  @Option(
      names = "--latency-ms",
      description = "One-way latency of the link to the upstream (default 20; quick 5).")
  @Nullable Integer latencyMs;

  @Option(
      names = "--bandwidth",
      description = "Bandwidth of the link in MB/s (default 125, i.e. 1 Gbit/s; quick 200).")
  @Nullable Integer bandwidth;

  @Option(names = "--big-mib", description = "Size of the big layer (default 512; quick 16).")
  @Nullable Integer bigMiB;

  @Option(
      names = "--clients",
      description = "Concurrent clients of the heavy scenarios (default 64; quick 16).")
  @Nullable Integer clients;

  @Option(
      names = "--seconds",
      description = "Length of each throughput and rate phase (default 10; quick 1).")
  @Nullable Integer seconds;

  @Option(
      names = "--work",
      description = "Working folder (default: a new one in /tmp, deleted at the end).")
  @Nullable Path workOption;

  /** Runs the load run with command-line options; see {@code --help}. */
  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    System.exit(new CommandLine(new LoadRunner()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Settings settings =
        new Settings(
            quick,
            Duration.ofMillis(orDefault(latencyMs, 20, 5)),
            orDefault(bandwidth, 125, 200) * 1_000_000L,
            orDefault(bigMiB, 512, 16),
            orDefault(clients, 64, 16),
            Duration.ofSeconds(orDefault(seconds, 10, 1)));
    for (String tool : List.of("docker-registry", "nginx", "skopeo")) {
      if (!Tools.onPath(tool)) {
        System.err.println(
            "load: " + tool + " is missing: apt-get install docker-registry nginx-light skopeo");
        return 2;
      }
    }
    if (!Files.isRegularFile(jar)) {
      System.err.println("load: no proxy jar at " + jar);
      return 2;
    }
    Path work = workOption != null ? workOption : Files.createTempDirectory("cache-proxy-load.");
    Instant started = Instant.now();
    try (Run run = new Run(settings, work, jar, jvmOptions)) {
      Results results = run.execute();
      RunInfo info =
          new RunInfo(
              started,
              Duration.between(started, Instant.now()),
              quick ? "quick" : "full",
              run.facts());
      List<Metric> metrics = results.metrics();
      Path report = Report.write(out, "results", info, Run.SYSTEMS, metrics);
      System.out.println(Report.markdown(info, Run.SYSTEMS, metrics, "results.png"));
      System.err.println("load: wrote " + report + " and " + report.resolveSibling("results.png"));
      if (!results.problems().isEmpty()) {
        results.problems().forEach(p -> System.err.println("load: FAILED: " + p));
        return 1;
      }
      return 0;
    } finally {
      if (workOption == null) {
        ServedSystem.deleteTree(work);
      }
    }
  }

  private int orDefault(@Nullable Integer value, int full, int quickValue) {
    return value != null ? value : quick ? quickValue : full;
  }

  /** The run's sizes and lengths. */
  record Settings(
      boolean quick,
      Duration latency,
      long bytesPerSecond,
      int bigMiB,
      int clients,
      Duration phase) {
    Settings {
      if (bigMiB < 1
          || clients < 1
          || phase.isNegative()
          || phase.isZero()
          || latency.isNegative()) {
        throw new CommandLine.ParameterException(
            new CommandLine(new LoadRunner()), "sizes, clients and seconds must be positive");
      }
    }

    /**
     * The medium image's layers for the concurrent cold pulls: 1/16 of the big layer, and two
     * small.
     */
    List<Long> mediumLayers() {
      long big = (long) bigMiB << 20;
      return List.of(Math.max(big / 16, 1 << 20), 4L << 20, 256L << 10);
    }

    String link() {
      return String.format(
          Locale.ROOT,
          "%d ms one way (%d ms round trip), %d MB/s each way",
          latency.toMillis(),
          2 * latency.toMillis(),
          bytesPerSecond / 1_000_000);
    }
  }

  /** The images the run pushes to the upstream. */
  record Workload(Image warmup, Image big, Image medium) {}
}
