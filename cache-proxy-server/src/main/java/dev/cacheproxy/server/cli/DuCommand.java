/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.cli;

import static dev.cacheproxy.server.cli.VerifyCommand.plural;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cacheproxy.core.StorageException;
import dev.cacheproxy.core.storage.ByteSizes;
import dev.cacheproxy.core.storage.CacheMaintenance;
import dev.cacheproxy.core.storage.RepositoryUsage;
import dev.cacheproxy.core.storage.UsageReport;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
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
 * {@code cache-proxy du [--json]}: how much each cached repository takes, largest first, as an
 * aligned table (or as JSON), then the totals. {@code SIZE} counts every blob a repository's
 * manifests reference; {@code EXCLUSIVE} only those no other repository references, which is what
 * evicting the repository would free. It only reads, so it may run next to a server.
 *
 * <pre>
 * $ cache-proxy du
 * RULE  REGISTRY/REPOSITORY      MANIFESTS      SIZE  EXCLUSIVE  LAST PULL
 * hub   docker.io/library/nginx          3  68.2 MiB   68.2 MiB  2026-03-02T09:14:03Z
 * total: 1 repository, 9 blobs, 68.2 MiB; 0 orphans (0 B)
 * </pre>
 */
@Command(
    name = "du",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
      "Shows how much space each cached repository takes, largest first.",
      "It only reads, so it may run while the server serves the cache."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the usage was printed",
      "1:the cache could not be read",
      "2:bad usage, no data directory, or an unreadable configuration"
    })
final class DuCommand implements Callable<Integer> {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final String[] HEADER = {
    "RULE", "REGISTRY/REPOSITORY", "MANIFESTS", "SIZE", "EXCLUSIVE", "LAST PULL"
  };
  private static final boolean[] RIGHT_ALIGNED = {false, false, true, true, true, false};

  @Mixin private DataDirectoryOption data = new DataDirectoryOption();

  @Option(names = "--json", description = "Print the usage as JSON instead of a table.")
  private boolean json;

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
    UsageReport usage;
    try {
      usage = cache.usage();
    } catch (StorageException e) {
      err.println("cache-proxy: " + e.getMessage());
      err.flush();
      return CommandLine.ExitCode.SOFTWARE;
    }
    out.println(json ? json(usage) : table(usage));
    out.flush();
    return CommandLine.ExitCode.OK;
  }

  /** The table and the totals line, without a final line break. */
  static String table(UsageReport usage) {
    List<String[]> rows = new ArrayList<>();
    rows.add(HEADER);
    for (RepositoryUsage repository : usage.repositories()) {
      rows.add(
          new String[] {
            Objects.requireNonNullElse(repository.rule(), "-"),
            repository.registry() + "/" + repository.repository().value(),
            Integer.toString(repository.manifests()),
            ByteSizes.format(repository.bytes()),
            ByteSizes.format(repository.exclusiveBytes()),
            repository.lastPullTime().map(DuCommand::time).orElse("-")
          });
    }
    int[] widths = new int[HEADER.length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder text = new StringBuilder();
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        String pad = " ".repeat(widths[i] - row[i].length());
        line.append(i == 0 ? "" : "  ").append(RIGHT_ALIGNED[i] ? pad + row[i] : row[i] + pad);
      }
      text.append(line.toString().stripTrailing()).append(System.lineSeparator());
    }
    return text.append("total: ")
        .append(usage.repositories().size())
        .append(usage.repositories().size() == 1 ? " repository" : " repositories")
        .append(", ")
        .append(plural(usage.blobs(), "blob"))
        .append(", ")
        .append(ByteSizes.format(usage.blobBytes()))
        .append("; ")
        .append(plural(usage.orphans(), "orphan"))
        .append(" (")
        .append(ByteSizes.format(usage.orphanBytes()))
        .append(usage.orphans() > 0 ? ", removed by cache-proxy gc)" : ")")
        .toString();
  }

  /** The report as JSON, with sizes in bytes and times in ISO-8601 (null if unknown). */
  static String json(UsageReport usage) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode repositories = root.putArray("repositories");
    for (RepositoryUsage repository : usage.repositories()) {
      ObjectNode node = repositories.addObject();
      node.put("registry", repository.registry());
      node.put("repository", repository.repository().value());
      node.put("rule", repository.rule());
      node.put("manifests", repository.manifests());
      node.put("bytes", repository.bytes());
      node.put("exclusiveBytes", repository.exclusiveBytes());
      node.put("lastPull", repository.lastPullTime().map(Instant::toString).orElse(null));
    }
    root.put("blobs", usage.blobs());
    root.put("blobBytes", usage.blobBytes());
    root.put("orphans", usage.orphans());
    root.put("orphanBytes", usage.orphanBytes());
    try {
      return JSON.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot write the usage as JSON", e);
    }
  }

  private static String time(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
