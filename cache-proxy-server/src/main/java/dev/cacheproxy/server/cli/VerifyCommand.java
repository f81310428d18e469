/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.cli;

import dev.cacheproxy.core.StorageException;
import dev.cacheproxy.core.storage.ByteSizes;
import dev.cacheproxy.core.storage.CacheMaintenance;
import dev.cacheproxy.core.storage.CachedManifest;
import dev.cacheproxy.core.storage.VerifyReport;
import dev.cacheproxy.core.storage.VerifyReport.CorruptBlob;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cache-proxy verify [--repair]}: re-hashes every cached blob, with a progress bar on
 * standard error, and prints a summary: the blobs and bytes checked, the time and throughput, and
 * every corrupt blob. With {@code --repair} it removes the corrupt blobs (and the records and tags
 * of corrupt manifests), which the next pull fetches again; that needs the data directory to
 * itself, so it refuses to run next to a server.
 *
 * <pre>
 * $ cache-proxy verify --data-dir /var/cache/cache-proxy
 * verified 1234 blobs (8.0 GiB) in 1 min 12 s, 119.3 MB/s
 * no corrupt blobs
 * </pre>
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
      "Re-hashes every cached blob and reports (with --repair removes) the corrupt ones.",
      "Without --repair it only reads, so it may run while the server serves the cache."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:no corrupt blob is left (none found, or --repair removed them)",
      "1:corrupt blobs remain, or the run failed (such as --repair next to a running server)",
      "2:bad usage, no data directory, or an unreadable configuration"
    })
final class VerifyCommand implements Callable<Integer> {

  @Mixin private DataDirectoryOption data = new DataDirectoryOption();

  @Option(
      names = "--repair",
      description =
          "Delete the corrupt blobs (and the records and tags of corrupt manifests) so that the"
              + " next pull fetches them again. Stop the server first.")
  private boolean repair;

  @Spec private @Nullable CommandSpec spec;

  @Override
  public Integer call() {
    CommandSpec s = Objects.requireNonNull(spec);
    PrintWriter out = s.commandLine().getOut();
    PrintWriter err = s.commandLine().getErr();
    CacheMaintenance cache = data.open(err);
    if (cache == null) {
      return CommandLine.ExitCode.USAGE;
    }
    ProgressBar progress = ProgressBar.onStandardError(err, "verify");
    long start = System.nanoTime();
    VerifyReport report;
    try {
      report = cache.verify(repair, progress);
    } catch (StorageException e) {
      progress.finish();
      err.println("cache-proxy: " + e.getMessage());
      err.flush();
      return CommandLine.ExitCode.SOFTWARE;
    }
    progress.finish();
    print(report, Duration.ofNanos(System.nanoTime() - start), out);
    out.flush();
    return report.intact() ? CommandLine.ExitCode.OK : CommandLine.ExitCode.SOFTWARE;
  }

  /** Prints the summary of a run that took {@code elapsed}. */
  static void print(VerifyReport report, Duration elapsed, PrintWriter out) {
    double seconds = Math.max(elapsed.toNanos(), 1) / 1e9;
    out.printf(
        Locale.ROOT,
        "verified %s (%s) in %s, %.1f MB/s%n",
        plural(report.blobs(), "blob"),
        ByteSizes.format(report.bytes()),
        duration(elapsed),
        report.bytes() / 1e6 / seconds);
    String verb = report.repaired() ? "removed corrupt blob " : "corrupt blob ";
    for (CorruptBlob blob : report.corrupt()) {
      out.println(
          verb + blob.digest() + " (" + ByteSizes.format(blob.size()) + "): " + blob.problem());
      out.println("  " + blob.path());
    }
    for (CachedManifest manifest : report.removedManifests()) {
      out.println("removed manifest record " + manifest + " (its blob was corrupt)");
    }
    for (String tag : report.removedTags()) {
      out.println("removed tag " + tag + " (it pointed at a removed manifest)");
    }
    String corrupt =
        plural(report.corrupt().size(), "corrupt blob")
            + " ("
            + ByteSizes.format(report.corruptBytes())
            + ")";
    String them = report.corrupt().size() == 1 ? "it" : "them";
    if (report.corrupt().isEmpty()) {
      out.println("no corrupt blobs");
    } else if (report.repaired()) {
      out.println(
          "removed " + corrupt + "; the next pull fetches " + them + " again from the upstream");
    } else {
      out.println(
          corrupt
              + "; run cache-proxy verify --repair (with the server stopped) to remove "
              + them
              + ", and the next pull fetches "
              + them
              + " again");
    }
  }

  /** {@code 0.4 s}, {@code 1 min 12 s}, {@code 2 h 03 min}. */
  static String duration(Duration elapsed) {
    long seconds = elapsed.toSeconds();
    if (seconds < 60) {
      return String.format(Locale.ROOT, "%.1f s", elapsed.toNanos() / 1e9);
    }
    if (seconds < 3600) {
      return String.format(Locale.ROOT, "%d min %02d s", seconds / 60, seconds % 60);
    }
    return String.format(Locale.ROOT, "%d h %02d min", seconds / 3600, seconds % 3600 / 60);
  }

  /** {@code 1 blob}, {@code 2 blobs}. */
  static String plural(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
