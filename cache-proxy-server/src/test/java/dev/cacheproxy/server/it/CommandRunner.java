/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Runs one container client ({@code docker}, {@code ctr}, {@code podman}) to completion with a
 * bounded time, a fixed environment and its output in files, the way {@link Skopeo} runs skopeo.
 *
 * <p>Every run gets the environment given here on top of the JVM's, typically {@code HTTPS_PROXY}
 * and {@code HTTP_PROXY} at a closed loopback port so that a client which falls back to a public
 * registry fails at once instead of leaving the machine.
 *
 * <p>Thread-safe: each run has its own output files.
 */
final class CommandRunner {

  private static final int MAX_OUTPUT_CHARS = 8 * 1024;

  private final String name;
  private final Path workDir;
  private final Map<String, String> environment;
  private final Supplier<String> context;
  private final AtomicInteger runs = new AtomicInteger();

  /**
   * A runner for the tool {@code name} keeping its output files under {@code workDir}.
   *
   * @param environment variables set for every run, over the JVM's own
   * @param context what to add to the result of a failed run, such as the end of the log of the
   *     daemon the tool talks to
   */
  CommandRunner(
      String name, Path workDir, Map<String, String> environment, Supplier<String> context)
      throws IOException {
    this.name = name;
    this.workDir = Files.createDirectories(workDir);
    this.environment = Map.copyOf(environment);
    this.context = context;
  }

  /**
   * The outcome of one run.
   *
   * @param command the command line
   * @param exitCode the exit code
   * @param stdout what it printed to stdout
   * @param stderr what it printed to stderr
   * @param context for a failed run, what else may explain it (a daemon's log), else empty
   */
  record Result(List<String> command, int exitCode, String stdout, String stderr, String context) {

    /** Copies the command. */
    Result {
      command = List.copyOf(command);
    }

    /** Returns this result if the command succeeded, else fails with its output. */
    Result requireSuccess() {
      if (exitCode != 0) {
        throw new AssertionError(describe("failed"));
      }
      return this;
    }

    /** The command line, the exit code and the output, for failure messages. */
    String describe(String what) {
      return String.join(" ", command)
          + "\n"
          + what
          + " with exit code "
          + exitCode
          + "\n--- stderr ---\n"
          + tail(stderr)
          + "\n--- stdout ---\n"
          + tail(stdout)
          + context;
    }
  }

  /** Runs {@code command} (program first) and returns its outcome, whatever it is. */
  Result run(List<String> command, Duration timeout) {
    int n = runs.incrementAndGet();
    Path out = workDir.resolve(name + "-" + n + ".out");
    Path err = workDir.resolve(name + "-" + n + ".err");
    int exitCode = execute(name, command, workDir, out, err, environment, timeout, context);
    try {
      return new Result(
          command,
          exitCode,
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8),
          exitCode == 0 ? "" : context.get());
    } catch (IOException e) {
      throw new AssertionError("cannot read the output of " + name + " in " + workDir, e);
    }
  }

  /**
   * Runs {@code command} in {@code workDir} with stdin from /dev/null, stdout and stderr into
   * {@code out} and {@code err} and {@code environment} over the JVM's own, and returns its exit
   * code; kills it and fails with the end of its output (and {@code context}) after {@code
   * timeout}.
   */
  static int execute(
      String name,
      List<String> command,
      Path workDir,
      Path out,
      Path err,
      Map<String, String> environment,
      Duration timeout,
      Supplier<String> context) {
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    builder.environment().putAll(environment);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new AssertionError("cannot start " + String.join(" ", command), e);
    }
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(
            name
                + " did not finish within "
                + timeout
                + ": "
                + String.join(" ", command)
                + "\n--- stderr ---\n"
                + LogTail.of(err)
                + "\n--- stdout ---\n"
                + LogTail.of(out)
                + context.get());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while running " + name, e);
    }
  }

  /** The environment every run gets, for a daemon started with the same settings. */
  Map<String, String> environment() {
    return environment;
  }

  /**
   * The environment that keeps a Go client's registry traffic on the machine: {@code HTTPS_PROXY}
   * and {@code HTTP_PROXY} (and their lower-case twins) at {@code closedPort} on 127.0.0.1, with
   * loopback exempt.
   */
  static Map<String, String> offlineEnvironment(int closedPort) {
    String proxy = "http://127.0.0.1:" + closedPort;
    String noProxy = "127.0.0.1,localhost";
    return Map.of(
        "HTTPS_PROXY", proxy,
        "HTTP_PROXY", proxy,
        "NO_PROXY", noProxy,
        "https_proxy", proxy,
        "http_proxy", proxy,
        "no_proxy", noProxy);
  }

  /**
   * Stops a daemon: SIGTERM, then SIGKILL if it has not exited within {@code timeout}.
   *
   * @throws AssertionError if it survives SIGKILL too
   */
  static void stop(Process running, String name, Duration timeout) {
    running.destroy();
    try {
      if (!running.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        running.destroyForcibly();
        if (!running.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new AssertionError(name + " (pid " + running.pid() + ") did not stop on SIGKILL");
        }
      }
    } catch (InterruptedException e) {
      running.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** Waits {@code poll} between two readiness checks of a daemon; returns early if it exits. */
  static void pause(Process daemon, Duration poll) {
    try {
      daemon.waitFor(poll.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** The last few KiB of a run's output: ctr, for one, prints a progress table per second. */
  private static String tail(String output) {
    String stripped = output.strip();
    if (stripped.isEmpty()) {
      return "(no output)";
    }
    return stripped.length() <= MAX_OUTPUT_CHARS
        ? stripped
        : "…" + stripped.substring(stripped.length() - MAX_OUTPUT_CHARS);
  }

  /** The command line {@code prefix} followed by {@code args}, as one list. */
  static List<String> concat(List<String> prefix, List<String> args) {
    List<String> command = new ArrayList<>(prefix);
    command.addAll(args);
    return command;
  }
}
