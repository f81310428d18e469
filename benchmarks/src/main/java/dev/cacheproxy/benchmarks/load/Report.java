/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks.load;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.SequencedSet;

/**
 * The report of a load run: a Markdown file with one table per metric group and a PNG chart beside
 * it.
 *
 * <p>Systems appear as columns in the given order. A system that has a value in some metric but is
 * missing from that order comes after the given ones, so no measurement is ever dropped.
 */
public final class Report {

  private static final String MISSING = "–";

  private Report() {}

  /**
   * Writes the report as {@code dir/baseName.md} and its chart as {@code dir/baseName.png},
   * creating {@code dir} if needed, and returns the path of the Markdown file.
   *
   * <p>Each file is written to a temporary file and then moved into place, so a crash never leaves
   * half a report. The chart comes first, so the Markdown never points at a missing chart.
   *
   * @param dir the output directory, such as {@code benchmarks/results}
   * @param baseName the file name without extension, such as {@code "results"}
   * @param info facts about the run
   * @param systems the column order, cache-proxy first
   * @param metrics the measurements, grouped into tables in order of first appearance
   * @throws IOException if a file cannot be written
   */
  public static Path write(
      Path dir, String baseName, RunInfo info, List<String> systems, List<Metric> metrics)
      throws IOException {
    if (baseName.isBlank() || baseName.contains("/") || baseName.contains("\\")) {
      throw new IllegalArgumentException("baseName must be a plain file name: " + baseName);
    }
    Files.createDirectories(dir);
    Path chart = dir.resolve(baseName + ".png");
    Path markdown = dir.resolve(baseName + ".md");
    String text = markdown(info, systems, metrics, chart.getFileName().toString());
    writeAtomically(chart, file -> ReportChart.writePng(file, info, systems, metrics));
    writeAtomically(
        markdown,
        file -> Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.WRITE));
    return markdown;
  }

  /**
   * The Markdown text of the report alone, for tests and for printing to the console.
   *
   * @param info facts about the run
   * @param systems the column order, cache-proxy first
   * @param metrics the measurements, grouped into tables in order of first appearance
   * @param chartFileName the chart's file name relative to the Markdown file
   */
  public static String markdown(
      RunInfo info, List<String> systems, List<Metric> metrics, String chartFileName) {
    StringBuilder out = new StringBuilder("# cache-proxy load run\n\n");
    out.append("- started: ").append(info.started().truncatedTo(ChronoUnit.SECONDS)).append('\n');
    out.append("- took: ").append(duration(info.took())).append('\n');
    out.append("- mode: ").append(info.mode()).append('\n');
    info.facts()
        .forEach(
            (key, value) -> out.append("- ").append(key).append(": ").append(value).append('\n'));
    out.append('\n')
        .append(
            "Ratios are cache-proxy ÷ the best reference in the same run (the best of the other")
        .append(" systems for that metric). For rates (↑) higher is better, so a ratio above 1×")
        .append(" puts cache-proxy ahead; for times, memory, CPU and upstream GETs (↓) lower is")
        .append(" better, so a ratio below 1× puts cache-proxy ahead.\n\n");
    out.append("![chart](").append(chartFileName).append(")\n");

    SequencedSet<String> columns = columns(systems, metrics);
    Map<String, List<Metric>> groups = new LinkedHashMap<>();
    for (Metric metric : metrics) {
      groups.computeIfAbsent(metric.group(), group -> new ArrayList<>()).add(metric);
    }
    groups.forEach((group, members) -> table(out, group, columns, members));

    List<Metric> noted = metrics.stream().filter(metric -> !metric.note().isBlank()).toList();
    if (!noted.isEmpty()) {
      out.append("\n## Notes\n\n");
      for (Metric metric : noted) {
        out.append("- **")
            .append(oneLine(metric.group() + ": " + metric.name()))
            .append("**: ")
            .append(oneLine(metric.note()))
            .append('\n');
      }
    }
    return out.toString();
  }

  private static void table(
      StringBuilder out, String group, SequencedSet<String> columns, List<Metric> members) {
    List<String> present =
        columns.stream()
            .filter(system -> members.stream().anyMatch(m -> m.values().containsKey(system)))
            .toList();
    out.append("\n## ").append(oneLine(group)).append("\n\n| metric |");
    present.forEach(system -> out.append(' ').append(cell(system)).append(" |"));
    out.append(" vs best reference | target |\n|---|");
    present.forEach(system -> out.append("---:|"));
    out.append("---|---|\n");
    for (Metric metric : members) {
      String label =
          metric.name()
              + (metric.unit().isEmpty() ? "" : " (" + metric.unit() + ")")
              + (metric.higherIsBetter() ? " ↑" : " ↓");
      out.append("| ").append(cell(label)).append(" |");
      boolean counts = metric.values().values().stream().allMatch(v -> v == Math.rint(v));
      for (String system : present) {
        OptionalDouble value = metric.value(system);
        String number =
            counts ? String.format(Locale.ROOT, "%,.0f", value.orElse(0)) : number(value.orElse(0));
        out.append(' ').append(value.isPresent() ? number : MISSING).append(" |");
      }
      OptionalDouble ratio = metric.ratioToBestReference();
      String versus =
          ratio.isPresent()
              ? ratio(ratio.getAsDouble()) + " " + metric.bestReferenceName().orElseThrow()
              : MISSING;
      Metric.Target target = metric.target();
      String goal = target == null ? "" : target.text() + (target.met() ? " ✅" : " ❌");
      out.append(' ').append(cell(versus)).append(" | ").append(cell(goal)).append(" |\n");
    }
  }

  /** The given systems, then any others that have a value, in order of first appearance. */
  private static SequencedSet<String> columns(List<String> systems, List<Metric> metrics) {
    SequencedSet<String> columns = new LinkedHashSet<>(systems);
    metrics.forEach(metric -> columns.addAll(metric.values().keySet()));
    return columns;
  }

  /**
   * Formats a value with sensible significant figures, independent of the locale: no decimals with
   * thousands separators from 100, one decimal from 10, two from 1, three significant digits below.
   * Tables print rows of whole numbers (counts) without decimals.
   */
  static String number(double value) {
    double abs = Math.abs(value);
    if (abs >= 100) {
      return String.format(Locale.ROOT, "%,.0f", value);
    } else if (abs >= 10) {
      return String.format(Locale.ROOT, "%.1f", value);
    } else if (abs >= 1) {
      return String.format(Locale.ROOT, "%.2f", value);
    } else if (value == 0) {
      return "0";
    }
    return BigDecimal.valueOf(value).round(new MathContext(3)).toPlainString();
  }

  /**
   * Formats a ratio such as {@code 0.93×}: two decimals from 0.01 to 10, else as {@link #number}.
   */
  static String ratio(double ratio) {
    if (Double.isInfinite(ratio)) {
      return "∞×";
    }
    return (ratio >= 0.01 && ratio < 10 ? String.format(Locale.ROOT, "%.2f", ratio) : number(ratio))
        + "×";
  }

  private static String duration(Duration took) {
    long seconds = took.toSeconds();
    if (seconds < 60) {
      return String.format(Locale.ROOT, "%.1f s", took.toMillis() / 1000.0);
    }
    String minutesAndSeconds = took.toMinutesPart() + " min " + took.toSecondsPart() + " s";
    return took.toHours() > 0 ? took.toHours() + " h " + minutesAndSeconds : minutesAndSeconds;
  }

  /** Escapes a table cell: pipes would end the cell, line breaks the row. */
  private static String cell(String text) {
    return oneLine(text).replace("|", "\\|");
  }

  private static String oneLine(String text) {
    return text.replaceAll("\\s*\\R\\s*", " ").strip();
  }

  /** Writes a file through a sibling temporary file that is then moved over it. */
  private static void writeAtomically(Path target, FileWriter writer) throws IOException {
    Path temp =
        target.resolveSibling(
            "." + target.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
    Files.deleteIfExists(temp);
    Files.createFile(temp);
    try {
      writer.write(temp);
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Fills a file. */
  @FunctionalInterface
  private interface FileWriter {
    void write(Path file) throws IOException;
  }
}
