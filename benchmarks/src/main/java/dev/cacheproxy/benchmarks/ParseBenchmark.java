/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.Reference;
import dev.cacheproxy.rules.RepositoryName;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How long parsing what every request carries in its path takes, and how much it allocates (run
 * with {@code -prof gc}): the repository name ({@link RepositoryName#of}), the reference after
 * {@code /manifests/} ({@link Reference#parse}, a tag or a digest) and the digest after {@code
 * /blobs/} ({@link Digest#parse}). Each runs on every request before any lookup, so its cost is
 * paid even by the cheapest cache hit.
 *
 * <p>Each invocation parses the next of {@value #INPUTS} realistic inputs (names of one to five
 * segments as clients send them through rules, tags like {@code latest} and {@code
 * 1.27.3-alpine3.20}, random sha256 digests), so that neither the branch predictor nor the caches
 * can learn a single string.
 */
@State(Scope.Thread)
@BenchmarkMode({Mode.AverageTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@SuppressWarnings("NullAway.Init") // fields are set in @Setup, before any @Benchmark runs
public class ParseBenchmark {

  private static final int INPUTS = 256;

  private static final String[] NAMES = {
    "library/nginx",
    "hub/library/postgres",
    "hub/bitnami/postgresql",
    "ghcr/actions/actions-runner",
    "quay/prometheus/node-exporter",
    "gcr/distroless/static-debian12",
    "hub/grafana/grafana-oss",
    "internal/platform/team-payments/api/checkout-service",
  };

  private static final String[] TAGS = {
    "latest",
    "1.27.3-alpine3.20",
    "16.4-bookworm",
    "v2.53.1",
    "nonroot",
    "sha-3f2a9c1",
    "2024.11.25_build.4711",
    "stable-slim",
  };

  private String[] names;
  private String[] tags;
  private String[] digests;
  private int next;

  /** Makes the inputs and checks that each parses. */
  @Setup(Level.Trial)
  public void setUp() {
    SplittableRandom random = new SplittableRandom(17);
    names = new String[INPUTS];
    tags = new String[INPUTS];
    digests = new String[INPUTS];
    for (int i = 0; i < INPUTS; i++) {
      names[i] = NAMES[i % NAMES.length];
      tags[i] = TAGS[i % TAGS.length];
      byte[] content = new byte[32];
      random.nextBytes(content);
      digests[i] = Digest.sha256(content).toString();
      RepositoryName.of(names[i]);
      Reference.parse(tags[i]);
      Reference.parse(digests[i]);
    }
  }

  /** Parses the next repository name. */
  @Benchmark
  public RepositoryName repositoryName() {
    return RepositoryName.of(names[advance()]);
  }

  /** Parses the next tag as a manifest reference. */
  @Benchmark
  public Reference referenceTag() {
    return Reference.parse(tags[advance()]);
  }

  /** Parses the next digest as a manifest reference. */
  @Benchmark
  public Reference referenceDigest() {
    return Reference.parse(digests[advance()]);
  }

  /** Parses the next digest as a blob digest. */
  @Benchmark
  public Digest digest() {
    return Digest.parse(digests[advance()]);
  }

  private int advance() {
    int i = next;
    next = (i + 1) & (INPUTS - 1);
    return i;
  }
}
