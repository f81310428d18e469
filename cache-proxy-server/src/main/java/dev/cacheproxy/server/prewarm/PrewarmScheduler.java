/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.prewarm;

import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.core.ImageWarmer;
import dev.cacheproxy.core.WarmReport;
import dev.cacheproxy.core.storage.ByteSizes;
import dev.cacheproxy.core.storage.ProgressListener;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs pre-warm jobs on their schedules: at each run, warms the job's images one after another
 * through the proxy ({@link ImageWarmer}), on a virtual thread of its own.
 *
 * <p>A failing image (unknown tag, upstream down) is logged and counted, and the run goes on with
 * the next one. Once the job's window closes, or the scheduler is closed, the run starts no new
 * image and logs the ones it skips; the image being warmed finishes.
 *
 * <p>Concurrency: the timer thread only starts runs and plans the next one. Each job has a {@code
 * running} flag set by whoever starts a run and cleared by the run's thread when it ends, so two
 * runs of one job never overlap: a run due while the last one still goes is skipped with a warning.
 * Each job's status fields are volatile and written by the run's thread; its pending timer task is
 * guarded by the job's monitor, so {@link #close} cancels exactly the task planned last.
 */
public final class PrewarmScheduler implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PrewarmScheduler.class);

  private final CacheProxy proxy;
  private final Clock clock;
  private final RunTimer timer;
  private final Map<String, JobState> jobs = new LinkedHashMap<>();
  private volatile boolean closed;

  /**
   * A scheduler for {@code jobs} warming through {@code proxy}; call {@link #start} to plan the
   * runs.
   *
   * @param clock the time schedules and windows are read in, and runs are timed with
   * @param timer starts the runs when due; closed with this scheduler
   */
  public PrewarmScheduler(List<PrewarmJob> jobs, CacheProxy proxy, Clock clock, RunTimer timer) {
    this.proxy = proxy;
    this.clock = clock;
    this.timer = timer;
    for (PrewarmJob job : jobs) {
      if (this.jobs.put(job.name(), new JobState(job, proxy.meterRegistry())) != null) {
        throw new IllegalArgumentException("two pre-warm jobs are named '" + job.name() + "'");
      }
    }
  }

  /** A scheduler on the system clock (UTC) and a {@link RunTimer#system()} timer. */
  public PrewarmScheduler(List<PrewarmJob> jobs, CacheProxy proxy) {
    this(jobs, proxy, Clock.systemUTC(), RunTimer.system());
  }

  /** Plans each job's next run and logs it. Call once. */
  public void start() {
    for (JobState state : jobs.values()) {
      plan(state, clock.instant());
    }
  }

  /**
   * Starts a run of job {@code name} now, as its schedule would, on a virtual thread. The window
   * still applies: a run started outside it skips every image.
   *
   * @return the run's report once it ends; empty when a run of the job is going on already
   * @throws NoSuchElementException for an unknown job
   */
  public Optional<CompletableFuture<RunReport>> runNow(String name) {
    JobState state = jobs.get(name);
    if (state == null) {
      throw new NoSuchElementException("no pre-warm job named '" + name + "'");
    }
    return launch(state);
  }

  /** The last run started of job {@code name}, going on or ended; for tests. */
  Optional<CompletableFuture<RunReport>> lastRun(String name) {
    JobState state = jobs.get(name);
    return state == null ? Optional.empty() : Optional.ofNullable(state.current);
  }

  /** The status of every job, in configuration order. */
  public List<JobStatus> status() {
    List<JobStatus> status = new ArrayList<>();
    for (JobState s : jobs.values()) {
      status.add(
          new JobStatus(
              s.job.name(),
              closed ? null : s.nextRun,
              s.lastRun,
              s.lastResult,
              s.lastError,
              s.running.get()));
    }
    return status;
  }

  /**
   * Cancels the planned runs, removes this scheduler's gauges and closes the timer. Runs going on
   * start no further image; this does not wait for them.
   */
  @Override
  public void close() {
    closed = true;
    for (JobState state : jobs.values()) {
      synchronized (state) {
        if (state.pending != null) {
          state.pending.cancel();
          state.pending = null;
        }
      }
      proxy.meterRegistry().remove(state.lastSuccessGauge);
    }
    timer.close();
  }

  private void plan(JobState state, Instant after) {
    synchronized (state) {
      if (closed) {
        return;
      }
      Optional<Instant> next = state.job.nextRun(after);
      state.nextRun = next.orElse(null);
      if (next.isEmpty()) {
        state.pending = null;
        LOG.warn("prewarm {}: schedule has no further run", state.job.name());
        return;
      }
      Instant at = next.get();
      Duration delay = Duration.between(clock.instant(), at);
      state.pending =
          timer.schedule(() -> fire(state, at), delay.isNegative() ? Duration.ZERO : delay);
      LOG.debug("prewarm {}: next run at {}", state.job.name(), at.atZone(state.job.zone()));
    }
  }

  private void fire(JobState state, Instant planned) {
    if (closed) {
      return;
    }
    if (launch(state).isEmpty()) {
      LOG.warn(
          "prewarm {}: run due at {} skipped, the last run is still going",
          state.job.name(),
          planned.atZone(state.job.zone()));
    }
    Instant now = clock.instant();
    plan(state, now.isAfter(planned) ? now : planned);
  }

  private Optional<CompletableFuture<RunReport>> launch(JobState state) {
    if (!state.running.compareAndSet(false, true)) {
      return Optional.empty();
    }
    CompletableFuture<RunReport> done = new CompletableFuture<>();
    state.current = done;
    Thread.ofVirtual()
        .name("prewarm-" + state.job.name())
        .start(() -> {
          RunReport report;
          try {
            report = run(state);
          } catch (RuntimeException | Error e) {
            state.running.set(false);
            done.completeExceptionally(e);
            throw e;
          }
          state.running.set(false);
          done.complete(report);
        });
    return Optional.of(done);
  }

  private RunReport run(JobState state) {
    PrewarmJob job = state.job;
    Instant started = clock.instant();
    state.lastRun = started;
    Optional<Instant> deadline = job.deadline(started);
    ImageWarmer warmer = new ImageWarmer(proxy, clock);
    List<PrewarmImage> warmed = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    List<PrewarmImage> skipped = new ArrayList<>();
    long bytes = 0;
    String stop = null;
    for (PrewarmImage image : job.images()) {
      if (stop == null) {
        stop = stopReason(job, deadline);
      }
      if (stop != null) {
        skipped.add(image);
        continue;
      }
      try {
        WarmReport report =
            warmer.warm(
                image.repository(), image.reference(), job.platforms(), ProgressListener.NONE);
        warmed.add(image);
        bytes += report.bytesFetched();
        state.bytes.increment((double) report.bytesFetched());
        state.imagesWarmed.increment();
        LOG.info(
            "prewarm {}: {} warmed, {} of {} blobs fetched ({} of {}) in {} ms",
            job.name(),
            image,
            report.blobsFetched(),
            report.blobs(),
            ByteSizes.format(report.bytesFetched()),
            ByteSizes.format(report.bytes()),
            report.took().toMillis());
      } catch (RuntimeException e) {
        failed.add(image + ": " + e.getMessage());
        state.imagesFailed.increment();
        LOG.warn("prewarm {}: {} failed: {}", job.name(), image, e.getMessage());
      }
    }
    if (!skipped.isEmpty()) {
      state.imagesSkipped.increment((double) skipped.size());
      LOG.warn(
          "prewarm {}: {}, skipped {} image(s): {}",
          job.name(),
          stop,
          skipped.size(),
          String.join(", ", skipped.stream().map(PrewarmImage::toString).toList()));
    }
    Instant finished = clock.instant();
    RunResult result = RunResult.of(warmed.size(), job.images().size());
    state.runs(result).increment();
    if (result == RunResult.COMPLETE) {
      state.lastSuccess.set(finished.getEpochSecond());
    }
    state.lastResult = result;
    state.lastError =
        !failed.isEmpty() ? failed.get(0) : skipped.isEmpty() ? null : stop + ", skipped images";
    LOG.info(
        "prewarm {}: run {}: {} image(s) ok, {} failed, {} skipped, {} fetched in {} ms",
        job.name(),
        result.tag(),
        warmed.size(),
        failed.size(),
        skipped.size(),
        ByteSizes.format(bytes),
        Duration.between(started, finished).toMillis());
    return new RunReport(job.name(), started, finished, result, warmed, failed, skipped, bytes);
  }

  /** Why the run must start no new image now, or null to go on. */
  private @Nullable String stopReason(PrewarmJob job, Optional<Instant> deadline) {
    if (closed) {
      return "scheduler closed";
    }
    if (deadline.isPresent() && !clock.instant().isBefore(deadline.get())) {
      return "window " + job.window() + " (" + job.zone() + ") closed";
    }
    return null;
  }
}
