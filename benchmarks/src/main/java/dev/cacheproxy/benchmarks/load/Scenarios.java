/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks.load;

import dev.cacheproxy.benchmarks.load.Images.Blob;
import dev.cacheproxy.benchmarks.load.Images.Image;
import dev.cacheproxy.benchmarks.load.Results.MetricKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The measurements of the run, each against one system at a time, recording into {@link Results}.
 * Each returns a short summary for the progress line.
 */
final class Scenarios {

  /** A system as the scenarios see it: its port and names now, and its processes if it has any. */
  record Subject(String name, @Nullable ServedSystem served, int directPort) {
    int port() {
      ServedSystem s = served;
      return s != null ? s.port() : directPort;
    }

    String repository(String repository) {
      ServedSystem s = served;
      return s != null ? s.repository(repository) : repository;
    }
  }

  static final String PULLS = "Pulls";
  static final String BLOBS = "Blob GETs";
  static final String MANIFESTS = "Manifest GETs";
  static final String RESOURCES = "Resources";
  static final String MANIFEST_ACCEPT =
      "application/vnd.oci.image.manifest.v1+json,"
          + " application/vnd.docker.distribution.manifest.v2+json";
  static final MetricKey PEAK_RSS = new MetricKey(RESOURCES, "peak RSS, whole run", "MiB", false);

  private final Results results;
  private final UpstreamLog upstreamLog;
  private final Path work;
  private final Duration duration;
  private final Duration warmup;
  private final int rateConnections;
  private int pulls;
  private double lastPeakMiB = -1;

  Scenarios(
      Results results,
      UpstreamLog upstreamLog,
      Path work,
      Duration duration,
      Duration warmup,
      int rateConnections) {
    this.results = results;
    this.upstreamLog = upstreamLog;
    this.work = work;
    this.duration = duration;
    this.warmup = warmup;
    this.rateConnections = rateConnections;
  }

  /** One client pulls a small image, so the JIT and connection pools are warm before measuring. */
  String warmUp(Subject s, Image image) throws IOException, InterruptedException {
    HttpLoad.Pull pull =
        HttpLoad.pullImage(s.port(), s.repository(image.repository()), image.tag(), 1);
    if (!pull.failures().isEmpty()) {
      throw new IOException(s.name() + ": warm-up pull failed: " + pull.failures());
    }
    return seconds(pull.seconds());
  }

  /** {@code skopeo copy} of the image to a {@code dir:}, timed; skopeo checks every digest. */
  String skopeoPull(Subject s, Image image, boolean cold) throws Exception {
    MetricKey key =
        new MetricKey(
            PULLS,
            (cold ? "cold" : "warm") + " pull, skopeo, " + mib(image.bytes()) + " image",
            "s",
            false);
    Path into = work.resolve("pull-" + ++pulls);
    String ref =
        "docker://127.0.0.1:"
            + s.port()
            + "/"
            + s.repository(image.repository())
            + ":"
            + image.tag();
    double took =
        measured(
            s,
            null,
            () -> skopeoCopy(s, ref, into),
            (cpu, result) ->
                results.put(
                    new MetricKey(
                        RESOURCES,
                        "CPU, "
                            + (cold ? "cold" : "warm")
                            + " pull of the "
                            + mib(image.bytes())
                            + " image",
                        "s",
                        false),
                    s.name(),
                    cpu));
    ServedSystem.deleteTree(into);
    results.put(key, s.name(), took);
    return seconds(took);
  }

  private static double skopeoCopy(Subject s, String ref, Path into)
      throws IOException, InterruptedException {
    long start = System.nanoTime();
    Process p =
        new ProcessBuilder("skopeo", "copy", "-q", "--src-tls-verify=false", ref, "dir:" + into)
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IOException(s.name() + ": skopeo copy " + ref + " failed: " + output.strip());
    }
    return (System.nanoTime() - start) / 1e9;
  }

  /** {@code clients} GET the blob over and over for the configured duration. */
  String warmThroughput(Subject s, Image image, Blob blob, int clients) throws Exception {
    String path = blobPath(s, image, blob);
    HttpLoad.firstByte(s.port(), path); // make sure it is cached: this test is about warm GETs
    MetricKey key =
        new MetricKey(
            BLOBS,
            "warm "
                + mib(blob.size())
                + " blob, "
                + clients
                + (clients == 1 ? " client" : " clients"),
            "MB/s",
            true);
    HttpLoad.Throughput t =
        measured(
            s,
            clients == 1 ? null : rssKey("warm blob GETs, " + clients + " clients"),
            () -> HttpLoad.throughput(s.port(), path, clients, duration),
            (cpu, result) -> {
              if (clients > 8) {
                results.put(
                    new MetricKey(
                        RESOURCES,
                        "CPU per GB served, warm, " + clients + " clients",
                        "s/GB",
                        false),
                    s.name(),
                    cpu / (result.bytes() / 1e9));
              }
            });
    if (t.errors() > 0) {
      results.problem(
          s.name() + ": " + t.errors() + " failed warm blob GETs at " + clients + " clients");
    }
    results.put(key, s.name(), t.megabytesPerSecond());
    return String.format(Locale.ROOT, "%,.0f MB/s", t.megabytesPerSecond());
  }

  /** Manifest GETs by tag, then by digest: requests per second, p50 and p99. */
  String manifestRate(Subject s, Image image) throws Exception {
    StringBuilder summary = new StringBuilder();
    for (boolean byDigest : new boolean[] {false, true}) {
      String reference = byDigest ? image.manifestDigest() : image.tag();
      String by = byDigest ? "by digest" : "by tag";
      String path = "/v2/" + s.repository(image.repository()) + "/manifests/" + reference;
      HttpLoad.Rate rate =
          measured(
              s,
              null,
              () ->
                  HttpLoad.rate(
                      s.port(),
                      path,
                      Map.of("Accept", MANIFEST_ACCEPT),
                      rateConnections,
                      warmup,
                      duration),
              (cpu, result) -> {});
      if (rate.errors() > 0) {
        results.problem(s.name() + ": " + rate.errors() + " failed manifest GETs " + by);
      }
      results.put(
          new MetricKey(MANIFESTS, by + ", " + rateConnections + " connections", "req/s", true),
          s.name(),
          rate.perSecond());
      results.put(new MetricKey(MANIFESTS, by + ", p50", "ms", false), s.name(), rate.p50Millis());
      results.put(new MetricKey(MANIFESTS, by + ", p99", "ms", false), s.name(), rate.p99Millis());
      summary.append(
          String.format(
              Locale.ROOT, "%s %,.0f req/s p99 %.1f ms  ", by, rate.perSecond(), rate.p99Millis()));
    }
    return summary.toString().strip();
  }

  /** Time to first byte of a blob the system does not have, read to the end and checked. */
  String coldFirstByte(Subject s, Image image, Blob blob) throws Exception {
    HttpLoad.FirstByte first =
        measured(
            s,
            null,
            () -> HttpLoad.firstByte(s.port(), blobPath(s, image, blob)),
            (cpu, result) -> {});
    if (!blob.digest().equals("sha256:" + first.sha256Hex()) || first.bytes() != blob.size()) {
      results.problem(s.name() + ": the cold blob " + blob.digest() + " came back different");
    }
    results.put(
        new MetricKey(PULLS, "time to first byte, cold " + mib(blob.size()) + " blob", "ms", false),
        s.name(),
        first.firstByteMillis());
    return String.format(
        Locale.ROOT, "%.1f ms, all in %.1f s", first.firstByteMillis(), first.totalMillis() / 1000);
  }

  /**
   * {@code clients} pull the same image at once, cold: wall time, the upstream's blob GETs, peak
   * RSS and CPU time. Through cache-proxy, more than one upstream GET for a blob fails the run;
   * {@code countGets} says whether to report the count for this system (not for the upstream
   * itself, where every client's GET is one).
   */
  String concurrentColdPull(Subject s, Image image, int clients, boolean countGets)
      throws Exception {
    String what = clients + " clients, same cold " + mib(image.bytes()) + " image";
    long mark = upstreamLog.mark();
    HttpLoad.Pull pull =
        measured(
            s,
            rssKey(what),
            () ->
                HttpLoad.pullImage(
                    s.port(), s.repository(image.repository()), image.tag(), clients),
            (cpu, result) ->
                results.put(new MetricKey(RESOURCES, "CPU, " + what, "s", false), s.name(), cpu));
    if (!pull.failures().isEmpty()) {
      results.problem(
          s.name()
              + ": "
              + pull.failures().size()
              + " of "
              + clients
              + " clients failed: "
              + pull.failures().getFirst());
    }
    settleLog();
    Map<String, Integer> gets = upstreamLog.blobGetsSince(mark);
    int max =
        image.blobs().stream().mapToInt(b -> gets.getOrDefault(b.digest(), 0)).max().orElse(0);
    int total = image.blobs().stream().mapToInt(b -> gets.getOrDefault(b.digest(), 0)).sum();
    results.put(new MetricKey(PULLS, what + ", wall time", "s", false), s.name(), pull.seconds());
    if (countGets) {
      results.put(
          new MetricKey(PULLS, what + ", upstream GETs per blob (most)", "GETs", false),
          s.name(),
          max);
    }
    if (s.name().equals(Metric.OURS) && max != 1) {
      results.problem(
          Metric.OURS
              + " made "
              + max
              + " upstream GETs for one blob with "
              + what
              + " ("
              + total
              + " in all)");
    }
    return String.format(
        Locale.ROOT,
        "%s, upstream GETs per blob %d (%d in all)",
        seconds(pull.seconds()),
        max,
        total);
  }

  private MetricKey rssKey(String what) {
    return new MetricKey(RESOURCES, "peak RSS, " + what, "MiB", false);
  }

  /** A measurement with its cost: CPU seconds to {@code cost}, peak RSS to {@code rssKey}. */
  private <T> T measured(
      Subject s, @Nullable MetricKey rssKey, Measurement<T> body, CostSink<T> cost)
      throws Exception {
    ServedSystem served = s.served();
    if (served == null) {
      return body.run();
    }
    ProcessStats stats = served.stats();
    stats.resetPeak();
    double cpu = stats.cpuSeconds();
    T result;
    long sampled;
    try (RssSampler sampler = ProcessStats.sample(stats, Duration.ofMillis(50))) {
      result = body.run();
      sampled = sampler.maxRssBytes();
    }
    cost.accept(stats.cpuSeconds() - cpu, result);
    long peak = stats.peakResettable() ? Math.max(stats.peakRssBytes(), sampled) : sampled;
    double peakMiB = peak / 1048576.0;
    lastPeakMiB = peakMiB;
    if (rssKey != null) {
      results.put(rssKey, s.name(), peakMiB);
    }
    double sofar = results.get(PEAK_RSS, s.name()).orElse(0.0);
    results.put(PEAK_RSS, s.name(), Math.max(sofar, peakMiB));
    return result;
  }

  /**
   * The peak RSS of the last measurement of a system with processes, for the progress line, once:
   * empty when the step measured none since the last call.
   */
  String takePeak() {
    double peak = lastPeakMiB;
    lastPeakMiB = -1;
    return peak < 0 ? "" : String.format(Locale.ROOT, " · peak RSS %.0f MiB", peak);
  }

  /** Gives the upstream a moment to write the access lines of the responses just finished. */
  private static void settleLog() throws InterruptedException {
    Thread.sleep(300);
  }

  private static String blobPath(Subject s, Image image, Blob blob) {
    return "/v2/" + s.repository(image.repository()) + "/blobs/" + blob.digest();
  }

  static String mib(long bytes) {
    return (bytes >> 20) + " MiB";
  }

  private static String seconds(double s) {
    return String.format(Locale.ROOT, "%.2f s", s);
  }

  /** A measured action. */
  @FunctionalInterface
  interface Measurement<T> {
    T run() throws Exception;
  }

  /** Receives the CPU seconds a measurement cost, with its result. */
  @FunctionalInterface
  interface CostSink<T> {
    void accept(double cpuSeconds, T result);
  }
}
