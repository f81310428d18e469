/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks.load;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.SequencedSet;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.labels.CategoryItemLabelGenerator;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.text.TextUtils;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.CategoryDataset;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jspecify.annotations.Nullable;

/**
 * The chart of a load run: one group of horizontal bars per metric that has a reference value, one
 * bar per system, each as long as the system's {@link Metric#score score} (1.0 = the best
 * reference, right is better).
 *
 * <p>Scores above {@link #CAP} are drawn at the cap and labelled with their real value.
 * Cache-proxy's bars always carry their score.
 */
final class ReportChart {

  static {
    // Before any AWT class initializes: the runner has no display. The runner also passes
    // -Djava.awt.headless=true; an explicit setting (either way) wins.
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  /** The width of the PNG in pixels. */
  static final int WIDTH = 1400;

  /** The longest bar drawn; longer scores are clipped to it and labelled. */
  static final double CAP = 2.5;

  private static final int PER_CATEGORY = 50;
  private static final String FONT = Font.SANS_SERIF;
  private static final Color OURS_COLOR = new Color(0xD6_3A_1E);
  private static final Color[] REFERENCE_COLORS = {
    new Color(0x7F_9C_C0), new Color(0xA8_C6_8F), new Color(0xC9_B0_85),
    new Color(0xB3_9D_C8), new Color(0x9E_9E_9E), new Color(0x8F_C5_C2),
  };

  private ReportChart() {}

  /** The height of the PNG in pixels for a number of charted metrics. */
  static int height(int categories) {
    return 170 + PER_CATEGORY * Math.max(categories, 1);
  }

  /** Renders the chart of the given metrics into a PNG file of {@link #WIDTH} pixels. */
  static void writePng(Path file, RunInfo info, List<String> systems, List<Metric> metrics)
      throws IOException {
    int categories = charted(metrics).size();
    ChartUtils.saveChartAsPNG(
        file.toFile(), chart(info, systems, metrics), WIDTH, height(categories));
  }

  /** The metrics the chart shows: those with a value for at least one reference. */
  static List<Metric> charted(List<Metric> metrics) {
    return metrics.stream().filter(metric -> metric.bestReference().isPresent()).toList();
  }

  /** Builds the chart; systems come in the given order with cache-proxy first. */
  static JFreeChart chart(RunInfo info, List<String> systems, List<Metric> metrics) {
    List<Metric> charted = charted(metrics);
    SequencedSet<String> series = new LinkedHashSet<>();
    series.add(Metric.OURS);
    series.addAll(systems);
    charted.forEach(metric -> series.addAll(metric.values().keySet()));
    series.removeIf(system -> charted.stream().noneMatch(m -> m.values().containsKey(system)));

    DefaultCategoryDataset dataset = new DefaultCategoryDataset();
    Map<String, Double> scores = new HashMap<>();
    double highest = 1.0;
    for (Metric metric : charted) {
      String category = metric.group() + ": " + metric.name();
      for (String system : series) {
        OptionalDouble score = metric.score(system);
        if (score.isPresent()) {
          scores.put(system + '\n' + category, score.getAsDouble());
          highest = Math.max(highest, score.getAsDouble());
        }
        dataset.addValue(
            score.isPresent() ? Double.valueOf(Math.min(score.getAsDouble(), CAP)) : null,
            system,
            category);
      }
    }

    CategoryPlot plot = new CategoryPlot();
    plot.setDataset(dataset);
    plot.setOrientation(PlotOrientation.HORIZONTAL);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setOutlineVisible(false);
    plot.setRangeGridlinePaint(new Color(0xDD_DD_DD));
    plot.setRangeGridlineStroke(new BasicStroke(1f));
    plot.setAxisOffset(RectangleInsets.ZERO_INSETS);
    plot.setDomainAxis(categoryAxis(charted.size()));
    plot.setRangeAxisLocation(AxisLocation.BOTTOM_OR_RIGHT);
    plot.setRangeAxis(rangeAxis(Math.max(1.25, Math.min(highest, CAP)) * 1.12));
    plot.setRenderer(renderer(new ArrayList<>(series), scores));
    plot.addRangeMarker(betterZone(), Layer.BACKGROUND);
    plot.addRangeMarker(bestReferenceLine(), Layer.BACKGROUND); // behind the score labels

    JFreeChart chart =
        new JFreeChart(
            "cache-proxy vs references (1.0 = best reference; right is better)",
            new Font(FONT, Font.BOLD, 20),
            plot,
            true);
    chart.setBackgroundPaint(Color.WHITE);
    chart.setPadding(new RectangleInsets(10, 10, 10, 24));
    chart.addSubtitle(0, subtitle(info));
    LegendTitle legend = chart.getLegend();
    legend.setPosition(RectangleEdge.TOP);
    legend.setItemFont(new Font(FONT, Font.PLAIN, 14));
    legend.setFrame(BlockBorder.NONE);
    legend.setItemLabelPadding(new RectangleInsets(2, 4, 2, 14));
    return chart;
  }

  private static TextTitle subtitle(RunInfo info) {
    String machine = info.facts().getOrDefault(RunInfo.MACHINE, "");
    String text =
        info.mode()
            + " run, "
            + info.started().atOffset(ZoneOffset.UTC).toLocalDate()
            + (machine.isBlank() ? "" : ", " + machine);
    TextTitle subtitle = new TextTitle(text, new Font(FONT, Font.PLAIN, 14));
    subtitle.setPaint(new Color(0x55_55_55));
    subtitle.setPadding(new RectangleInsets(2, 0, 6, 0));
    return subtitle;
  }

  private static CategoryAxis categoryAxis(int categories) {
    CategoryAxis axis = new CategoryAxis();
    axis.setTickLabelFont(new Font(FONT, Font.PLAIN, 14));
    axis.setTickLabelPaint(Color.BLACK);
    axis.setMaximumCategoryLabelWidthRatio(0.3f);
    axis.setCategoryMargin(0.2);
    // Room at the top for the label of the best-reference line.
    axis.setLowerMargin(26.0 / (PER_CATEGORY * Math.max(categories, 1) + 20));
    axis.setUpperMargin(0.01);
    axis.setAxisLineVisible(false);
    axis.setTickMarksVisible(false);
    return axis;
  }

  private static NumberAxis rangeAxis(double upper) {
    NumberAxis axis = new NumberAxis("score (1.0× = the best reference's value)");
    axis.setLabelFont(new Font(FONT, Font.PLAIN, 14));
    axis.setTickLabelFont(new Font(FONT, Font.PLAIN, 13));
    axis.setRange(0, upper);
    DecimalFormat format =
        new DecimalFormat("0.0#'×'", DecimalFormatSymbols.getInstance(Locale.ROOT));
    axis.setTickUnit(new NumberTickUnit(upper > 2 ? 0.5 : 0.25, format));
    return axis;
  }

  private static BarRenderer renderer(List<String> series, Map<String, Double> scores) {
    BarRenderer renderer = new ScoreRenderer(scores);
    renderer.setBarPainter(new StandardBarPainter());
    renderer.setShadowVisible(false);
    renderer.setDrawBarOutline(false);
    renderer.setItemMargin(0.04);
    renderer.setMaximumBarWidth(0.1);
    int reference = 0;
    for (int i = 0; i < series.size(); i++) {
      boolean ours = series.get(i).equals(Metric.OURS);
      renderer.setSeriesPaint(
          i, ours ? OURS_COLOR : REFERENCE_COLORS[reference++ % REFERENCE_COLORS.length]);
    }
    renderer.setDefaultLegendShape(new Rectangle(-6, -6, 12, 12));
    // Only switches labels on: ScoreRenderer writes them.
    renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator());
    renderer.setDefaultItemLabelsVisible(true);
    renderer.setDefaultItemLabelFont(new Font(FONT, Font.PLAIN, 12));
    renderer.setDefaultItemLabelPaint(new Color(0x33_33_33));
    return renderer;
  }

  private static IntervalMarker betterZone() {
    IntervalMarker zone = new IntervalMarker(1.0, CAP * 2);
    zone.setPaint(new Color(0xF1_F8_EE));
    zone.setOutlinePaint(null);
    return zone;
  }

  private static ValueMarker bestReferenceLine() {
    ValueMarker line =
        new ValueMarker(
            1.0,
            new Color(0x44_44_44),
            new BasicStroke(
                1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
    line.setLabel("best reference");
    line.setLabelFont(new Font(FONT, Font.ITALIC, 13));
    line.setLabelPaint(new Color(0x44_44_44));
    line.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
    line.setLabelTextAnchor(TextAnchor.TOP_LEFT);
    line.setLabelOffset(new RectangleInsets(4, 6, 4, 6));
    line.setLabelBackgroundColor(new Color(0, 0, 0, 0));
    return line;
  }

  /**
   * A renderer of horizontal bars that labels cache-proxy's bars with their score and clipped bars
   * with their real score, right of the bar on a white halo so the dashed line never crosses a
   * label.
   */
  private static final class ScoreRenderer extends BarRenderer {
    private final Map<String, Double> scores;

    ScoreRenderer(Map<String, Double> scores) {
      this.scores = scores;
    }

    private @Nullable String label(String system, String category) {
      Double score = scores.get(system + '\n' + category);
      if (score == null) {
        return null;
      } else if (score > CAP) {
        return "» " + Report.ratio(score);
      }
      return system.equals(Metric.OURS) ? Report.ratio(score) : null;
    }

    @Override
    protected void drawItemLabel(
        Graphics2D g2,
        CategoryDataset dataset,
        int row,
        int column,
        CategoryPlot plot,
        CategoryItemLabelGenerator generator,
        Rectangle2D bar,
        boolean negative) {
      String label =
          label(dataset.getRowKey(row).toString(), dataset.getColumnKey(column).toString());
      if (label == null) {
        return;
      }
      g2.setFont(getItemLabelFont(row, column));
      Rectangle2D bounds = TextUtils.getTextBounds(label, g2, g2.getFontMetrics());
      float x = (float) bar.getMaxX() + 4;
      float y = (float) bar.getCenterY();
      g2.setPaint(Color.WHITE);
      g2.fill(
          new Rectangle2D.Double(
              x - 2, y - bounds.getHeight() / 2, bounds.getWidth() + 4, bounds.getHeight()));
      g2.setPaint(getItemLabelPaint(row, column));
      TextUtils.drawAlignedString(label, g2, x, y, TextAnchor.CENTER_LEFT);
    }
  }
}
