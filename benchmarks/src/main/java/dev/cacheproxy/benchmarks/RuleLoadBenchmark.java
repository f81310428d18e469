/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks;

import dev.cacheproxy.rules.Rule;
import dev.cacheproxy.rules.RuleSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How long loading a rule set takes: {@link RuleSet#of} on rules already made (validation of the
 * set, duplicate checks and building the trie), and making the rules from their text as a
 * configuration loader does ({@link Rule#of}, which parses and validates each rule) plus {@link
 * RuleSet#of}. 100,000 rules, the default limit, must load well under a second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@SuppressWarnings("NullAway.Init") // fields are set in @Setup, before any @Benchmark runs
public class RuleLoadBenchmark {

  /** The number of rules. */
  @Param({"100000"})
  public int rules;

  private List<Rule> made;

  /** Makes the rules once, for {@link #load}. */
  @Setup
  public void setUp() {
    made = RuleSets.rules(rules);
  }

  /** {@link RuleSet#of} on rules already made. */
  @Benchmark
  public RuleSet load() {
    return RuleSet.of(made);
  }

  /** Making every rule from its text, then {@link RuleSet#of}. */
  @Benchmark
  public RuleSet parseAndLoad() {
    return RuleSet.of(RuleSets.rules(rules));
  }
}
