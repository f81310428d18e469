/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.cli;

import static dev.cacheproxy.server.cli.VerifyCommand.plural;

import dev.cacheproxy.core.StorageException;
import dev.cacheproxy.core.spi.StoredBlob;
import dev.cacheproxy.core.storage.ByteSizes;
import dev.cacheproxy.core.storage.CacheMaintenance;
import dev.cacheproxy.core.storage.CachedManifest;
import dev.cacheproxy.core.storage.GcReport;
import java.io.PrintWriter;
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
 * {@code cache-proxy gc [--dry-run]}: removes the blobs no cached manifest references and the
 * manifest records whose blob is missing, printing each one and what it freed. A real run needs the
 * data directory to itself, so it refuses to run next to a server; {@code --dry-run} only reads.
 *
 * <pre>
 * $ cache-proxy gc --dry-run
 * would remove sha256:3b1f… (1.2 MiB)
 * would free 1.2 MiB (1 blob)
 * </pre>
 */
@Command(
    name = "gc",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
      "Removes the cached blobs no cached manifest references, and prints what it frees.",
      "Stop the server first; with --dry-run it only reads, next to a running server too."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:done (or, with --dry-run, listed)",
      "1:the run failed (such as a server running on the data directory)",
      "2:bad usage, no data directory, or an unreadable configuration"
    })
final class GcCommand implements Callable<Integer> {

  @Mixin private DataDirectoryOption data = new DataDirectoryOption();

  @Option(names = "--dry-run", description = "Only print what would be removed and freed.")
  private boolean dryRun;

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
    GcReport report;
    try {
      report = cache.gc(dryRun);
    } catch (StorageException e) {
      err.println("cache-proxy: " + e.getMessage());
      err.flush();
      return CommandLine.ExitCode.SOFTWARE;
    }
    print(report, out);
    out.flush();
    return CommandLine.ExitCode.OK;
  }

  /** Prints what a run removed, or would remove. */
  static void print(GcReport report, PrintWriter out) {
    String verb = report.dryRun() ? "would remove " : "removed ";
    for (StoredBlob blob : report.blobs()) {
      out.println(verb + blob.digest() + " (" + ByteSizes.format(blob.size()) + ")");
    }
    for (CachedManifest manifest : report.danglingManifests()) {
      out.println(verb + "manifest record " + manifest + " (its blob is missing)");
    }
    for (String tag : report.removedTags()) {
      out.println(verb + "tag " + tag + " (it pointed at a removed manifest record)");
    }
    if (report.temporaryFiles() > 0) {
      out.println(
          verb
              + plural(report.temporaryFiles(), "temporary file")
              + " left by a crash ("
              + ByteSizes.format(report.temporaryBytes())
              + ")");
    }
    String freed =
        ByteSizes.format(report.bytes() + report.temporaryBytes())
            + " ("
            + plural(report.blobs().size(), "blob")
            + (report.danglingManifests().isEmpty()
                ? ""
                : ", " + plural(report.danglingManifests().size(), "manifest record"))
            + ")";
    out.println((report.dryRun() ? "would free " : "freed ") + freed);
  }
}
