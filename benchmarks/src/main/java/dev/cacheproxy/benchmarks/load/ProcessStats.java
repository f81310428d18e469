/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The memory and CPU use of one system's processes, read from Linux's {@code /proc}: a process and
 * all its descendants as they are at the time of each call (nginx master and workers, a JVM, the
 * distribution registry).
 *
 * <p>Processes that vanish between listing and reading are skipped, and a descendant that has
 * exited no longer counts, so its CPU time drops out of {@link #cpuSeconds()}. Measure long-lived
 * processes.
 *
 * <p>Thread-safe: every call reads {@code /proc} afresh; the only state is whether peaks could be
 * reset, a volatile flag that only ever goes from true to false.
 */
public final class ProcessStats {

  private static final Path PROC = Path.of("/proc");

  private final long pid;
  private volatile boolean peakResettable = true;

  private ProcessStats(long pid) {
    this.pid = pid;
  }

  /**
   * The stats of a process and all its descendants.
   *
   * @param pid the root process, such as the nginx master
   * @throws IllegalArgumentException if no such process runs
   * @throws UnsupportedOperationException if there is no {@code /proc} (not Linux)
   */
  public static ProcessStats of(long pid) {
    if (!Files.isReadable(PROC.resolve("self").resolve("status"))) {
      throw new UnsupportedOperationException("process stats need Linux's /proc");
    }
    if (ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty()) {
      throw new IllegalArgumentException("no process with pid " + pid);
    }
    return new ProcessStats(pid);
  }

  /**
   * A sampler that reads {@link #rssBytes()} of these processes every {@code every} until closed,
   * the fallback for the peak when {@link #peakResettable()} is false.
   */
  public static RssSampler sample(ProcessStats stats, Duration every) {
    return RssSampler.start(stats, every);
  }

  /** The pid of the root process. */
  public long pid() {
    return pid;
  }

  /** The number of processes counted now: the root and its live descendants. */
  public int processCount() {
    return pids().size();
  }

  /**
   * Resets the peak resident set of each process to its current one (writes {@code 5} to {@code
   * /proc/PID/clear_refs}), skipping processes that vanished. If the kernel refuses a write, peaks
   * cannot be reset, and {@link #peakResettable()} says so from then on.
   */
  public void resetPeak() {
    for (long process : pids()) {
      Path clearRefs = PROC.resolve(Long.toString(process)).resolve("clear_refs");
      try {
        Files.writeString(clearRefs, "5", StandardCharsets.US_ASCII);
      } catch (IOException e) {
        if (isAlive(process)) {
          peakResettable = false;
        }
      }
    }
  }

  /**
   * Whether every {@link #resetPeak()} so far succeeded, so that {@link #peakRssBytes()} is the
   * peak since the last reset; true before the first reset.
   */
  public boolean peakResettable() {
    return peakResettable;
  }

  /** The sum of the processes' peak resident set sizes ({@code VmHWM}), in bytes. */
  public long peakRssBytes() {
    return sumStatus("VmHWM:");
  }

  /** The sum of the processes' current resident set sizes ({@code VmRSS}), in bytes. */
  public long rssBytes() {
    return sumStatus("VmRSS:");
  }

  /**
   * The sum of the CPU time the processes used in user and kernel mode ({@code utime + stime} of
   * {@code /proc/PID/stat}), in seconds; the time of reaped children is not included.
   */
  public double cpuSeconds() {
    long ticks = 0;
    for (long process : pids()) {
      Optional<String> stat = read(process, "stat");
      if (stat.isPresent()) {
        ticks += cpuTicks(stat.get());
      }
    }
    return ticks / (double) ClockTicks.PER_SECOND;
  }

  /** The root, if still alive, and its live descendants. */
  private List<Long> pids() {
    List<Long> pids = new ArrayList<>();
    ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .ifPresent(root -> {
          pids.add(root.pid());
          try (Stream<ProcessHandle> descendants = root.descendants()) {
            descendants.filter(ProcessHandle::isAlive).forEach(p -> pids.add(p.pid()));
          }
        });
    return pids;
  }

  private long sumStatus(String field) {
    long bytes = 0;
    for (long process : pids()) {
      Optional<String> status = read(process, "status");
      if (status.isPresent()) {
        bytes += statusKib(status.get(), field).orElse(0) * 1024;
      }
    }
    return bytes;
  }

  /** Reads {@code /proc/PID/file}; empty when the process vanished. */
  private static Optional<String> read(long process, String file) {
    try {
      return Optional.of(
          Files.readString(
              PROC.resolve(Long.toString(process)).resolve(file), StandardCharsets.UTF_8));
    } catch (IOException e) {
      return Optional.empty(); // gone: NoSuchFileException, or ESRCH while reading
    }
  }

  private static boolean isAlive(long process) {
    return ProcessHandle.of(process).map(ProcessHandle::isAlive).orElse(false);
  }

  /**
   * The value in KiB of a field of {@code /proc/PID/status}, such as {@code VmRSS: 1234 kB}; empty
   * when the field is absent, as for zombies and kernel threads.
   */
  static OptionalLong statusKib(String status, String field) {
    return status
        .lines()
        .filter(line -> line.startsWith(field))
        .mapToLong(
            line -> Long.parseLong(line.substring(field.length()).strip().split("\\s+", -1)[0]))
        .findFirst();
  }

  /**
   * The {@code utime + stime} clock ticks of a {@code /proc/PID/stat} line (fields 14 and 15).
   * Fields are counted after the last {@code ')'}, since the command name in parentheses (field 2)
   * may itself hold spaces and parentheses.
   */
  static long cpuTicks(String stat) {
    int end = stat.lastIndexOf(')');
    if (end < 0) {
      throw new IllegalArgumentException("not a /proc/PID/stat line: " + stat);
    }
    // After ") " come field 3 (state), 4 (ppid), ... so field n sits at index n - 3.
    String[] fields = stat.substring(end + 1).strip().split("\\s+", -1);
    if (fields.length < 13) {
      throw new IllegalArgumentException("too few fields in /proc/PID/stat line: " + stat);
    }
    return Long.parseLong(fields[14 - 3]) + Long.parseLong(fields[15 - 3]);
  }

  /** The kernel's clock ticks per second ({@code getconf CLK_TCK}), read once; 100 if unknown. */
  private static final class ClockTicks {
    static final long PER_SECOND = read();

    private static long read() {
      try {
        Process getconf =
            new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
        String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        if (getconf.waitFor(5, TimeUnit.SECONDS) && getconf.exitValue() == 0) {
          long ticks = Long.parseLong(out.strip());
          if (ticks > 0) {
            return ticks;
          }
        }
        getconf.destroy();
      } catch (IOException | NumberFormatException e) {
        // fall through to the common default
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return 100;
    }
  }
}
