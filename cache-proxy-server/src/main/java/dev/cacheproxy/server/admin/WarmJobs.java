/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.ImageWarmer;
import dev.cacheproxy.core.ProxyException;
import dev.cacheproxy.core.Reference;
import dev.cacheproxy.core.WarmReport;
import dev.cacheproxy.rules.RepositoryName;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The warm jobs started through {@code POST /admin/warm}: each runs {@link ImageWarmer#warm} on a
 * thread of its own (a virtual thread) and records its progress, so that {@code GET
 * /admin/warm/<id>} can tell how far it is. At most {@link #MAX_JOBS} jobs are kept; starting one
 * more drops the oldest finished job, and when all of them still run, the new one is refused.
 *
 * <p>Concurrency: {@code jobs} is guarded by {@code this}. A job's fields are written by its own
 * thread and read by the request threads: the progress in volatile fields (each read is recent, the
 * four numbers need not be of one instant), the outcome published by the volatile {@code status}
 * written last.
 */
final class WarmJobs {

  private static final Logger LOG = LoggerFactory.getLogger(WarmJobs.class);

  /** The most jobs kept, running or finished. */
  static final int MAX_JOBS = 100;

  /** A job's state. */
  enum Status {
    RUNNING,
    DONE,
    FAILED;

    String json() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final ImageWarmer warmer;
  private final Clock clock;
  private final ThreadFactory threads;
  private final Map<String, Job> jobs = new LinkedHashMap<>();

  WarmJobs(ImageWarmer warmer, Clock clock, ThreadFactory threads) {
    this.warmer = warmer;
    this.clock = clock;
    this.threads = threads;
  }

  /**
   * Starts warming {@code repository:reference}.
   *
   * @return the new job, or empty when {@link #MAX_JOBS} jobs are running
   */
  Optional<Job> start(RepositoryName repository, Reference reference, List<String> platforms) {
    Job job;
    synchronized (this) {
      if (jobs.size() >= MAX_JOBS && !dropOldestFinished()) {
        return Optional.empty();
      }
      String id;
      do {
        id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()).substring(0, 12);
      } while (jobs.containsKey(id));
      job = new Job(id, repository, reference, List.copyOf(platforms), clock.instant());
      jobs.put(id, job);
    }
    Job started = job;
    threads.newThread(() -> started.run(warmer, clock)).start();
    return Optional.of(job);
  }

  private boolean dropOldestFinished() {
    for (Iterator<Job> it = jobs.values().iterator(); it.hasNext(); ) {
      if (it.next().status != Status.RUNNING) {
        it.remove();
        return true;
      }
    }
    return false;
  }

  /** The job with {@code id}, if it is still kept. */
  synchronized Optional<Job> get(String id) {
    return Optional.ofNullable(jobs.get(id));
  }

  /** The jobs kept, the most recent first. */
  synchronized List<Job> recent() {
    List<Job> list = new ArrayList<>(jobs.values());
    Collections.reverse(list);
    return list;
  }

  /** One warm: what it warms, how far it is and how it ended. */
  static final class Job {
    final String id;
    final RepositoryName repository;
    final Reference reference;
    final List<String> platforms;
    final Instant startedAt;

    private volatile long blobsDone;
    private volatile long blobsTotal;
    private volatile long bytesDone;
    private volatile long bytesTotal;
    private @Nullable WarmReport report;
    private @Nullable String error;
    private @Nullable Instant endedAt;
    private volatile Status status = Status.RUNNING;

    Job(
        String id,
        RepositoryName repository,
        Reference reference,
        List<String> platforms,
        Instant startedAt) {
      this.id = id;
      this.repository = repository;
      this.reference = reference;
      this.platforms = platforms;
      this.startedAt = startedAt;
    }

    void run(ImageWarmer warmer, Clock clock) {
      try {
        WarmReport done =
            warmer.warm(
                repository,
                reference,
                platforms,
                (blobs, ofBlobs, bytes, ofBytes) -> {
                  blobsDone = blobs;
                  blobsTotal = ofBlobs;
                  bytesDone = bytes;
                  bytesTotal = ofBytes;
                });
        report = done;
        endedAt = clock.instant();
        status = Status.DONE;
        LOG.info(
            "warmed {}: fetched {} of {} blobs ({} of {} bytes) in {} ms",
            image(),
            done.blobsFetched(),
            done.blobs(),
            done.bytesFetched(),
            done.bytes(),
            done.took().toMillis());
      } catch (ProxyException e) {
        fail(clock, e.getMessage() == null ? e.code().description() : e.getMessage());
      } catch (RuntimeException e) {
        fail(clock, e.getMessage() == null ? e.toString() : e.getMessage());
      }
    }

    private void fail(Clock clock, String message) {
      error = message;
      endedAt = clock.instant();
      status = Status.FAILED;
      LOG.warn("warming {} failed: {}", image(), message);
    }

    /** The job's state. */
    Status status() {
      return status;
    }

    /** {@code name:tag} or {@code name@digest}. */
    String image() {
      return new ImageName(repository, reference).toString();
    }

    /** The job as the admin API shows it. */
    ObjectNode json() {
      Status s = status; // read first: it publishes report, error and endedAt
      ObjectNode node = JsonNodeFactory.instance.objectNode();
      node.put("id", id);
      node.put("image", image());
      ArrayNode list = node.putArray("platforms");
      platforms.forEach(list::add);
      node.put("status", s.json());
      node.put("blobsDone", blobsDone);
      node.put("blobsTotal", blobsTotal);
      node.put("bytesDone", bytesDone);
      node.put("bytesTotal", bytesTotal);
      WarmReport r = s == Status.DONE ? report : null;
      if (r == null) {
        node.putNull("report");
      } else {
        ObjectNode out = node.putObject("report");
        out.put("repository", r.repository().value());
        out.put("reference", r.reference().toString());
        ArrayNode manifests = out.putArray("manifests");
        for (Digest d : r.manifests()) {
          manifests.add(d.toString());
        }
        out.put("blobs", r.blobs());
        out.put("blobsFetched", r.blobsFetched());
        out.put("bytes", r.bytes());
        out.put("bytesFetched", r.bytesFetched());
        out.put("tookMillis", r.took().toMillis());
      }
      node.put("error", s == Status.FAILED ? error : null);
      node.put("startedAt", startedAt.toString());
      Instant end = s == Status.RUNNING ? null : endedAt;
      node.put("endedAt", end == null ? null : end.toString());
      return node;
    }
  }
}
