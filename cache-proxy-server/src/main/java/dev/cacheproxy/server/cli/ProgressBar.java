/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.cli;

import dev.cacheproxy.core.storage.ProgressListener;
import java.io.Console;
import java.io.PrintWriter;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Shows the progress of a maintenance run on standard error. On a terminal it redraws one line in
 * place, at most every 100 ms: {@code [#####.....] 1234/100000 blobs, 2.1/8.0 GiB}. Elsewhere (a
 * log file, a pipe, a CI job) it prints a plain line every 10 seconds instead, so logs stay
 * readable.
 *
 * <p>Not thread-safe: the run calls it from its one thread.
 */
final class ProgressBar implements ProgressListener {

  /** How often a terminal line is redrawn. */
  static final long TERMINAL_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /** How often a plain line is printed. */
  static final long PLAIN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  private static final int WIDTH = 20;
  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

  private final PrintWriter err;
  private final String name;
  private final boolean terminal;
  private final LongSupplier nanoTime;
  private boolean started;
  private long lastShown;
  private int drawnLength;

  /**
   * Creates a bar.
   *
   * @param err where to draw
   * @param name the run's name, which starts the plain lines ({@code verify: ...})
   * @param terminal whether {@code err} is a terminal
   * @param nanoTime the clock to pace the output with
   */
  ProgressBar(PrintWriter err, String name, boolean terminal, LongSupplier nanoTime) {
    this.err = err;
    this.name = name;
    this.terminal = terminal;
    this.nanoTime = nanoTime;
  }

  /** A bar on {@code err}, drawn in place if the process runs on a terminal. */
  static ProgressBar onStandardError(PrintWriter err, String name) {
    return new ProgressBar(err, name, isTerminal(), System::nanoTime);
  }

  @Override
  public void progress(long blobsDone, long blobsTotal, long bytesDone, long bytesTotal) {
    long now = nanoTime.getAsLong();
    boolean due;
    if (!started) {
      started = true;
      lastShown = now;
      due = terminal;
    } else {
      long interval = terminal ? TERMINAL_INTERVAL_NANOS : PLAIN_INTERVAL_NANOS;
      due = now - lastShown >= interval || (terminal && blobsDone == blobsTotal);
    }
    if (!due) {
      return;
    }
    lastShown = now;
    if (terminal) {
      String line =
          bar(bytesTotal > 0 ? bytesDone : blobsDone, bytesTotal > 0 ? bytesTotal : blobsTotal)
              + " "
              + counts(blobsDone, blobsTotal, bytesDone, bytesTotal);
      err.print("\r" + line + " ".repeat(Math.max(0, drawnLength - line.length())));
      drawnLength = line.length();
    } else {
      err.println(
          name
              + ": "
              + counts(blobsDone, blobsTotal, bytesDone, bytesTotal)
              + String.format(
                  Locale.ROOT, " (%d%%)", bytesTotal > 0 ? bytesDone * 100 / bytesTotal : 100));
    }
    err.flush();
  }

  /** Ends the line a terminal bar was drawn on, so that what follows starts below it. */
  void finish() {
    if (drawnLength > 0) {
      err.println();
      err.flush();
      drawnLength = 0;
    }
  }

  /** {@code [#####.....]} for {@code done} of {@code total}. */
  static String bar(long done, long total) {
    int filled = total <= 0 ? WIDTH : (int) Math.min(WIDTH, done * WIDTH / total);
    return "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "]";
  }

  /** {@code 1234/100000 blobs, 2.1/8.0 GiB}. */
  static String counts(long blobsDone, long blobsTotal, long bytesDone, long bytesTotal) {
    return blobsDone + "/" + blobsTotal + " blobs, " + sizes(bytesDone, bytesTotal);
  }

  /** Both sizes in the unit of {@code total}: {@code 2.1/8.0 GiB}, {@code 12/800 B}. */
  static String sizes(long done, long total) {
    int unit = 0;
    double scale = 1;
    while (unit < UNITS.length - 1 && total / scale >= 1024) {
      scale *= 1024;
      unit++;
    }
    if (unit == 0) {
      return done + "/" + total + " B";
    }
    return String.format(Locale.ROOT, "%.1f/%.1f %s", done / scale, total / scale, UNITS[unit]);
  }

  /**
   * Whether the process runs on an interactive terminal. On Java 22 and later a console exists even
   * when the streams are redirected, and {@code Console.isTerminal()} tells; on Java 21 a console
   * exists only on a terminal. Standard error itself cannot be asked, so {@code 2>file} on a
   * terminal still gets the redrawn bar.
   */
  // Java 22+ is handled below by asking Console.isTerminal() when it exists.
  @SuppressWarnings("SystemConsoleNull")
  static boolean isTerminal() {
    Console console = System.console();
    if (console == null || "dumb".equals(System.getenv("TERM"))) {
      return false;
    }
    MethodHandle isTerminal;
    try {
      isTerminal =
          MethodHandles.publicLookup()
              .findVirtual(Console.class, "isTerminal", MethodType.methodType(boolean.class));
    } catch (NoSuchMethodException | IllegalAccessException e) {
      return true;
    }
    try {
      return (boolean) isTerminal.invokeExact(console);
    } catch (Throwable e) {
      return false;
    }
  }
}
