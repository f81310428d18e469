/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks.load;

import dev.cacheproxy.benchmarks.load.Images.Image;
import dev.cacheproxy.benchmarks.load.LoadRunner.Settings;
import dev.cacheproxy.benchmarks.load.LoadRunner.Workload;
import dev.cacheproxy.benchmarks.load.Scenarios.Subject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One load run: the upstream, the link, the systems and the plan of steps, executed in order with a
 * progress line per step. A step that throws ends its system's part of the run (recorded as a
 * problem); the other systems still run, so a long run still yields its report.
 */
final class Run implements AutoCloseable {
  static final String DIRECT = "upstream direct";
  static final String DISTRIBUTION = "distribution proxy";
  static final String NGINX_CACHE = "nginx proxy_cache";
  static final String NGINX_SENDFILE = "nginx sendfile";

  /** The systems in report order, ours first. */
  static final List<String> SYSTEMS =
      List.of(Metric.OURS, DIRECT, DISTRIBUTION, NGINX_CACHE, NGINX_SENDFILE);

  private final Settings settings;
  private final Path work;
  private final Path jar;
  private final List<String> jvmOptions;
  private final Results results = new Results();
  private final List<ServedSystem> processes = new ArrayList<>();
  private @Nullable LinkEmulator link;

  Run(Settings settings, Path work, Path jar, List<String> jvmOptions) {
    this.settings = settings;
    this.work = work;
    this.jar = jar;
    this.jvmOptions = List.copyOf(jvmOptions);
  }

  /** A step of the plan. */
  private record Step(String system, String label, Action action) {}

  /** What a step does; returns a summary for the progress line. */
  @FunctionalInterface
  private interface Action {
    String run() throws Exception;
  }

  /** Starts everything, runs every step and returns what was measured. */
  Results execute() throws Exception {
    ServedSystem upstream = served("upstream", Launches.upstream());
    progress("start the upstream registry and push the images");
    upstream.start();
    Workload images = push(upstream.port());
    LinkEmulator started =
        LinkEmulator.start(upstream.port(), settings.latency(), settings.bytesPerSecond());
    link = started;
    Scenarios scenarios =
        new Scenarios(
            results,
            new UpstreamLog(upstream.log()),
            work,
            settings.phase(),
            settings.phase().dividedBy(2),
            8);
    List<List<Step>> plan = plan(scenarios, images, started.port(), upstream);
    int total = plan.stream().mapToInt(List::size).sum();
    int done = 0;
    long t0 = System.nanoTime();
    for (List<Step> part : plan) {
      for (int i = 0; i < part.size(); i++) {
        Step step = part.get(i);
        done++;
        String head =
            String.format(
                Locale.ROOT,
                "[%2d/%d %s] %s: %s",
                done,
                total,
                clock(System.nanoTime() - t0),
                step.system(),
                step.label());
        System.err.print(head + " … ");
        System.err.flush();
        try {
          System.err.println(step.action().run() + scenarios.takePeak());
        } catch (Exception e) {
          System.err.println("FAILED: " + e);
          results.problem(step.system() + ": " + step.label() + ": " + e.getMessage());
          done += part.size() - i - 1;
          break;
        }
      }
    }
    return results;
  }

  private List<List<Step>> plan(
      Scenarios sc, Workload images, int linkPort, ServedSystem upstream) {
    Image big = images.big();
    Image medium = images.medium();
    int clients = settings.clients();
    List<List<Step>> plan = new ArrayList<>();

    Subject direct = new Subject(DIRECT, null, linkPort);
    plan.add(
        List.of(
            new Step(DIRECT, "warm-up pull", () -> sc.warmUp(direct, images.warmup())),
            new Step(
                DIRECT,
                "pull " + Scenarios.mib(big.bytes()) + " image (skopeo)",
                () -> sc.skopeoPull(direct, big, true)),
            new Step(DIRECT, "manifest GETs", () -> sc.manifestRate(direct, big)),
            new Step(
                DIRECT,
                "first byte of the big blob",
                () -> sc.coldFirstByte(direct, big, big.largestLayer())),
            new Step(
                DIRECT,
                clients + " clients pull the medium image",
                () -> sc.concurrentColdPull(direct, medium, clients, false))));

    Map<String, ServedSystem.Launch> caches = new LinkedHashMap<>();
    caches.put(
        Metric.OURS,
        Launches.cacheProxy(
            Path.of(ProcessHandle.current().info().command().orElse("java")),
            jar,
            jvmOptions,
            linkPort));
    caches.put(DISTRIBUTION, Launches.distributionProxy(linkPort));
    caches.put(NGINX_CACHE, Launches.nginxProxyCache(linkPort));
    for (Map.Entry<String, ServedSystem.Launch> cache : caches.entrySet()) {
      String name = cache.getKey();
      ServedSystem sys = served(name, cache.getValue());
      Subject s = new Subject(name, sys, 0);
      List<Step> steps = new ArrayList<>();
      steps.add(
          new Step(
              name,
              "start, warm-up pull",
              () -> {
                sys.start();
                return sc.warmUp(s, images.warmup());
              }));
      steps.add(new Step(name, "cold pull (skopeo)", () -> sc.skopeoPull(s, big, true)));
      steps.add(new Step(name, "warm pull (skopeo)", () -> sc.skopeoPull(s, big, false)));
      for (int c : new int[] {1, 8, clients}) {
        steps.add(
            new Step(
                name,
                "warm big blob GETs, " + c + " clients",
                () -> sc.warmThroughput(s, big, big.largestLayer(), c)));
      }
      steps.add(new Step(name, "manifest GETs", () -> sc.manifestRate(s, big)));
      steps.add(
          new Step(
              name,
              "empty restart, first byte of the big blob",
              () -> {
                restart(sc, s, images);
                return sc.coldFirstByte(s, big, big.largestLayer());
              }));
      steps.add(
          new Step(
              name,
              "empty restart, " + clients + " clients pull the medium image",
              () -> {
                restart(sc, s, images);
                return sc.concurrentColdPull(s, medium, clients, true);
              }));
      if (name.equals(Metric.OURS)) {
        steps.add(
            new Step(
                name,
                "empty restart, " + clients + " clients pull the big image",
                () -> {
                  restart(sc, s, images);
                  return sc.concurrentColdPull(s, big, clients, true);
                }));
      }
      steps.add(
          new Step(
              name,
              "stop",
              () -> {
                sys.stop();
                return "stopped";
              }));
      plan.add(steps);
    }

    ServedSystem sendfile = served(NGINX_SENDFILE, Launches.nginxSendfile(upstream.state()));
    Subject nginx = new Subject(NGINX_SENDFILE, sendfile, 0);
    List<Step> steps = new ArrayList<>();
    steps.add(
        new Step(
            NGINX_SENDFILE,
            "start",
            () -> {
              sendfile.start();
              return "port " + sendfile.port();
            }));
    for (int c : new int[] {1, 8, clients}) {
      steps.add(
          new Step(
              NGINX_SENDFILE,
              "big blob GETs, " + c + " clients",
              () -> sc.warmThroughput(nginx, big, big.largestLayer(), c)));
    }
    steps.add(
        new Step(
            NGINX_SENDFILE,
            "stop",
            () -> {
              sendfile.stop();
              return "stopped";
            }));
    plan.add(steps);
    return plan;
  }

  private static void restart(Scenarios sc, Subject s, Workload images) throws Exception {
    ServedSystem sys = s.served();
    if (sys != null) {
      sys.restartEmpty();
      sc.warmUp(s, images.warmup());
    }
  }

  private Workload push(int port) throws IOException, InterruptedException {
    Images pusher = new Images(port, System.nanoTime());
    long big = (long) settings.bigMiB() << 20;
    // The warm-up image has a layer 1/32 of the big one, so that the fill path (upstream reads,
    // hashing, file writes) is compiled by the JIT before a cold pull is measured, as in a proxy
    // that has been running for a while.
    Image warmup =
        pusher.push("bench/warmup", "1", List.of(64L << 10, Math.max(big / 32, 256L << 10)));
    Image medium = pusher.push("bench/medium", "1", settings.mediumLayers());
    Image bigImage = pusher.push("bench/big", "1", List.of(big, 4L << 20));
    return new Workload(warmup, bigImage, medium);
  }

  private ServedSystem served(String name, ServedSystem.Launch launch) {
    ServedSystem s =
        new ServedSystem(name, work.resolve(name.replaceAll("[^a-z0-9]+", "-")), launch);
    processes.add(s);
    return s;
  }

  /** The report's header facts. */
  Map<String, String> facts() {
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put(RunInfo.MACHINE, Tools.machine());
    facts.put("kernel", Tools.firstLine("uname", "-sr"));
    facts.put("JDK", Runtime.version() + " (" + System.getProperty("java.vendor") + ")");
    facts.put("cache-proxy JVM", String.join(" ", jvmOptions));
    facts.put("docker-registry", Tools.firstLine("docker-registry", "--version"));
    facts.put("nginx", Tools.firstLine("nginx", "-v"));
    facts.put("skopeo", Tools.firstLine("skopeo", "--version"));
    facts.put("link to the upstream", settings.link() + " (emulated by the runner)");
    facts.put(
        "images",
        String.format(
            Locale.ROOT,
            "big: %d MiB + 4 MiB layers; medium: %s; warm-up: 64 KiB + %d MiB; random bytes",
            settings.bigMiB(),
            settings.mediumLayers().stream()
                .map(b -> b >= 1 << 20 ? (b >> 20) + " MiB" : (b >> 10) + " KiB")
                .toList(),
            Math.max(settings.bigMiB() / 32, 1)));
    facts.put(
        "phases",
        settings.phase().toSeconds()
            + " s per throughput or rate phase; "
            + settings.clients()
            + " clients in the heavy scenarios; manifest GETs on 8 connections");
    return facts;
  }

  private static void progress(String what) {
    System.err.println("load: " + what);
  }

  private static String clock(long nanos) {
    long s = nanos / 1_000_000_000L;
    return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }

  @Override
  public void close() throws Exception {
    for (ServedSystem s : processes) {
      s.stop();
    }
    LinkEmulator l = link;
    if (l != null) {
      l.close();
    }
  }
}
