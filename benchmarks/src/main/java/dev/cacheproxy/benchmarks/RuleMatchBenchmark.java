/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks;

import dev.cacheproxy.rules.RepositoryName;
import dev.cacheproxy.rules.Route;
import dev.cacheproxy.rules.RuleSet;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How long {@link RuleSet#route} takes, and how much it allocates (run with {@code -prof gc}), for
 * rule sets of 10 to 100,000 rules and names that hit a static target, the deepest of three nested
 * wildcards, or only the default rule. The time should not grow with the number of rules.
 *
 * <p>Each invocation routes the next of 1,024 names, by default all different, so that neither the
 * branch predictor nor the caches can learn a single name.
 */
@State(Scope.Thread)
@BenchmarkMode({Mode.AverageTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@SuppressWarnings("NullAway.Init") // fields are set in @Setup, before any @Benchmark runs
public class RuleMatchBenchmark {

  private static final int NAMES = 1024;

  /** What kind of rule a benchmark's names hit. */
  public enum Hit {
    /** Static targets: {@code team4/app}. */
    STATIC,
    /** The depth-3 wildcards, below two shorter ones: {@code org5/team/sub/app/v1}. */
    DEEP_WILDCARD,
    /** Nothing but the default, two segments: {@code proj7/app}. */
    DEFAULT,
    /** The default, one segment, so Docker Hub's {@code library/} is added: {@code img7}. */
    DEFAULT_LIBRARY
  }

  /** The number of rules in the set. */
  @Param({"10", "1000", "100000"})
  public int rules;

  /** The kind of rule the names hit. */
  @Param({"STATIC", "DEEP_WILDCARD", "DEFAULT", "DEFAULT_LIBRARY"})
  public Hit hit;

  /**
   * How many different names are routed in turn: 1,024 by default, so that large sets are measured
   * with their nodes mostly out of the CPU caches, as on a busy proxy; {@code -p distinctNames=1}
   * measures the same name over and over, everything in cache.
   */
  @Param({"1024"})
  public int distinctNames;

  private RuleSet set;
  private RepositoryName[] names;
  private int next;

  /** Builds the rule set and the names, and checks that the names hit what they should. */
  @Setup(Level.Trial)
  public void setUp() {
    set = RuleSet.of(RuleSets.rules(rules));
    RepositoryName[] distinct = RuleSets.names(hit, rules, distinctNames);
    names = new RepositoryName[NAMES];
    for (int i = 0; i < NAMES; i++) {
      names[i] = distinct[i % distinct.length];
    }
    for (RepositoryName name : names) {
      Route route = set.route(name).orElseThrow();
      String rule = route.rule().name();
      boolean expected =
          switch (hit) {
            case STATIC -> rule.startsWith("s");
            case DEEP_WILDCARD -> route.rule().target().endsWith("/team/sub/*");
            case DEFAULT, DEFAULT_LIBRARY -> rule.equals("default");
          };
      if (!expected) {
        throw new IllegalStateException(name + " routes to " + rule + ", not a " + hit + " rule");
      }
    }
  }

  /** Routes the next name. */
  @Benchmark
  public Optional<Route> route() {
    RepositoryName name = names[next];
    next = (next + 1) & (NAMES - 1);
    return set.route(name);
  }
}
