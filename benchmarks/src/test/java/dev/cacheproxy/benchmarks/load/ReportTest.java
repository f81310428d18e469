/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

  private static final String DIRECT = "upstream direct";
  private static final String DISTRIBUTION = "distribution proxy";
  private static final String NGINX_CACHE = "nginx proxy_cache";
  private static final String SENDFILE = "nginx sendfile";
  private static final List<String> SYSTEMS =
      List.of(Metric.OURS, DIRECT, DISTRIBUTION, NGINX_CACHE, SENDFILE);

  private static final RunInfo INFO =
      new RunInfo(
          Instant.parse("2026-03-04T05:06:07.891Z"),
          Duration.ofSeconds(754),
          "quick",
          facts("machine", "2 CPUs, 24 GiB", "link", "20 ms one way, 100 MB/s"));

  private static final Metric WARM_BLOBS =
      new Metric(
          "Blob GETs",
          "warm blob throughput",
          "MB/s",
          true,
          values(Metric.OURS, 930.0, NGINX_CACHE, 850.0, SENDFILE, 1000.0),
          new Metric.Target("≥ 0.9× nginx sendfile", true),
          "64 clients | 1 MiB blobs");
  private static final Metric COLD_PULL =
      new Metric(
          "Pulls",
          "cold pull time",
          "s",
          false,
          values(Metric.OURS, 12.24, DIRECT, 12.0, DISTRIBUTION, 15.5),
          new Metric.Target("≤ 1.0× upstream direct", false),
          "");
  private static final Metric UPSTREAM_GETS =
      new Metric(
          "Pulls",
          "upstream blob GETs",
          "",
          false,
          values(Metric.OURS, 3.0, DISTRIBUTION, 3.0, NGINX_CACHE, 1234.0),
          null,
          "");
  private static final Metric PEAK_RSS =
      new Metric("Resources", "peak RSS", "MiB", false, values(Metric.OURS, 180.0), null, "");
  private static final List<Metric> METRICS =
      List.of(COLD_PULL, WARM_BLOBS, UPSTREAM_GETS, PEAK_RSS);

  @Test
  void metric_ratioAndScore_followDirection() {
    assertThat(WARM_BLOBS.bestReferenceName()).contains(SENDFILE);
    assertThat(WARM_BLOBS.ratioToBestReference().getAsDouble()).isCloseTo(0.93, within());
    assertThat(WARM_BLOBS.score(NGINX_CACHE).getAsDouble()).isCloseTo(0.85, within());

    assertThat(COLD_PULL.bestReferenceName()).contains(DIRECT);
    assertThat(COLD_PULL.ratioToBestReference().getAsDouble()).isCloseTo(1.02, within());
    assertThat(COLD_PULL.score(Metric.OURS).getAsDouble()).isCloseTo(12.0 / 12.24, within());
    assertThat(COLD_PULL.score(DISTRIBUTION).getAsDouble()).isCloseTo(12.0 / 15.5, within());

    assertThat(PEAK_RSS.bestReference()).isEmpty();
    assertThat(PEAK_RSS.ratioToBestReference()).isEmpty();
    assertThat(PEAK_RSS.score(Metric.OURS)).isEmpty();
    assertThat(COLD_PULL.score(SENDFILE)).isEmpty();
  }

  @Test
  void metric_zeros_compareWithoutNaN() {
    Metric gets =
        new Metric(
            "Pulls", "upstream GETs", "", false, values(Metric.OURS, 0.0, DIRECT, 0.0), null, "");
    assertThat(gets.ratioToBestReference().getAsDouble()).isEqualTo(1.0);
    Metric fewer =
        new Metric(
            "Pulls", "upstream GETs", "", false, values(Metric.OURS, 0.0, DIRECT, 2.0), null, "");
    assertThat(fewer.score(Metric.OURS).getAsDouble()).isInfinite();
    assertThat(fewer.ratioToBestReference().getAsDouble()).isZero();
  }

  @Test
  void metric_copiesValuesAndRejectsBadOnes() {
    Map<String, Double> values = new LinkedHashMap<>(values(Metric.OURS, 1.0));
    Metric metric = new Metric("g", "n", "", true, values, null, "");
    values.put(DIRECT, 2.0);
    assertThat(metric.values()).containsOnlyKeys(Metric.OURS);
    assertThatThrownBy(() -> new Metric("g", "n", "", true, values(DIRECT, Double.NaN), null, ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(DIRECT);
  }

  @Test
  void markdown_tablesPerGroup_withRatiosTargetsAndEscapes() {
    String markdown = Report.markdown(INFO, SYSTEMS, METRICS, "results.png");

    assertThat(markdown)
        .startsWith("# cache-proxy load run\n\n- started: 2026-03-04T05:06:07Z\n")
        .contains("- took: 12 min 34 s\n- mode: quick\n- machine: 2 CPUs, 24 GiB\n")
        .contains("- link: 20 ms one way, 100 MB/s\n")
        .contains("Ratios are cache-proxy ÷ the best reference in the same run")
        .contains("![chart](results.png)\n");
    // Pulls: only systems with a value in the group, in the given order; missing values as "–".
    assertThat(markdown)
        .contains(
            "## Pulls\n\n"
                + "| metric | cache-proxy | upstream direct | distribution proxy | nginx proxy_cache"
                + " | vs best reference | target |\n"
                + "|---|---:|---:|---:|---:|---|---|\n"
                + "| cold pull time (s) ↓ | 12.2 | 12.0 | 15.5 | – | 1.02× upstream direct"
                + " | ≤ 1.0× upstream direct ❌ |\n"
                + "| upstream blob GETs ↓ | 3 | – | 3 | 1,234 | 1.00× distribution proxy |  |\n");
    assertThat(markdown)
        .contains(
            "| metric | cache-proxy | nginx proxy_cache | nginx sendfile | vs best reference"
                + " | target |\n")
        .contains(
            "| warm blob throughput (MB/s) ↑ | 930 | 850 | 1,000 | 0.93× nginx sendfile"
                + " | ≥ 0.9× nginx sendfile ✅ |\n")
        .contains("| peak RSS (MiB) ↓ | 180 | – |  |\n")
        .contains("## Notes\n\n- **Blob GETs: warm blob throughput**: 64 clients | 1 MiB blobs\n");
    assertThat(markdown.indexOf("## Pulls")).isLessThan(markdown.indexOf("## Blob GETs"));
  }

  @Test
  void markdown_escapesPipesInCells() {
    Metric piped =
        new Metric(
            "Pulls",
            "a|b",
            "",
            true,
            values(Metric.OURS, 1.0, "x|y", 2.0),
            new Metric.Target("c|d", true),
            "");
    String markdown = Report.markdown(INFO, List.of(Metric.OURS), List.of(piped), "r.png");
    assertThat(markdown)
        .contains("| metric | cache-proxy | x\\|y | vs best reference | target |\n")
        .contains("| a\\|b ↑ | 1 | 2 | 0.50× x\\|y | c\\|d ✅ |\n");
  }

  @Test
  void number_usesSignificantFiguresIndependentOfLocale() {
    assertThat(Report.number(1234567.8)).isEqualTo("1,234,568");
    assertThat(Report.number(123.4)).isEqualTo("123");
    assertThat(Report.number(12.34)).isEqualTo("12.3");
    assertThat(Report.number(1.234)).isEqualTo("1.23");
    assertThat(Report.number(0.012345)).isEqualTo("0.0123");
    assertThat(Report.number(0)).isEqualTo("0");
    assertThat(Report.ratio(Double.POSITIVE_INFINITY)).isEqualTo("∞×");
  }

  @Test
  void write_producesMarkdownAndReadablePng(@TempDir Path tmp) throws IOException {
    Path dir = tmp.resolve("results");

    Path markdown = Report.write(dir, "results", INFO, SYSTEMS, METRICS);

    assertThat(markdown).isEqualTo(dir.resolve("results.md"));
    assertThat(Files.readString(markdown))
        .isEqualTo(Report.markdown(INFO, SYSTEMS, METRICS, "results.png"));
    Path png = dir.resolve("results.png");
    assertThat(Files.size(png)).isPositive();
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image).isNotNull();
    assertThat(image.getWidth()).isEqualTo(ReportChart.WIDTH);
    assertThat(image.getHeight()).isEqualTo(ReportChart.height(3));
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("results.md", "results.png");
    }
  }

  private static Map<String, Double> values(Object... systemsAndValues) {
    Map<String, Double> values = new LinkedHashMap<>();
    for (int i = 0; i < systemsAndValues.length; i += 2) {
      values.put((String) systemsAndValues[i], (Double) systemsAndValues[i + 1]);
    }
    return values;
  }

  private static Map<String, String> facts(String... keysAndValues) {
    Map<String, String> facts = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      facts.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return facts;
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-9);
  }
}
