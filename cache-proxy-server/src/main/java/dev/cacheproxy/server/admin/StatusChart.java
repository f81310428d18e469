/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.admin;

import dev.cacheproxy.core.storage.ByteSizes;
import dev.cacheproxy.server.admin.StatusHistory.Sample;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.function.ToLongFunction;

/**
 * Draws the status page's charts as inline SVG, on the server: the hit ratio per interval, and the
 * bytes served from the cache against the bytes fetched upstream per interval. One point per
 * sample, oldest left; an interval without requests leaves a gap in the hit-ratio line. Stateless.
 */
final class StatusChart {

  /** The hit-ratio line's colour, distinctive enough for a screenshot test to find. */
  static final String RATIO_COLOUR = "#2f7ed8";

  /** The colour of the bytes served from the cache. */
  static final String CACHED_COLOUR = "#3aa757";

  /** The colour of the bytes fetched upstream. */
  static final String UPSTREAM_COLOUR = "#f28c28";

  static final int WIDTH = 560;
  static final int HEIGHT = 180;
  private static final int LEFT = 64;
  private static final int RIGHT = 12;
  private static final int TOP = 12;
  private static final int BOTTOM = 28;
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);

  private StatusChart() {}

  /** The hit ratio of each sample, from 0 % at the bottom to 100 % at the top. */
  static String hitRatio(List<Sample> samples) {
    StringBuilder svg = open("Hit ratio per interval", samples);
    if (samples.isEmpty()) {
      return close(svg);
    }
    gridLine(svg, 0, "0 %");
    gridLine(svg, 0.5, "50 %");
    gridLine(svg, 1, "100 %");
    List<String> run = new ArrayList<>();
    for (int i = 0; i < samples.size(); i++) {
      OptionalDouble ratio = samples.get(i).counts().hitRatio();
      if (ratio.isPresent()) {
        run.add(point(x(i, samples.size()), y(ratio.getAsDouble())));
      } else {
        series(svg, run, RATIO_COLOUR, "ratio");
        run.clear();
      }
    }
    series(svg, run, RATIO_COLOUR, "ratio");
    timeAxis(svg, samples);
    return close(svg);
  }

  /** The bytes served from the cache and fetched upstream in each sample, on one scale. */
  static String bytes(List<Sample> samples) {
    StringBuilder svg = open("Bytes served from the cache and fetched upstream", samples);
    if (samples.isEmpty()) {
      return close(svg);
    }
    long max = 1;
    for (Sample s : samples) {
      max = Math.max(max, Math.max(s.counts().cachedBytes(), s.counts().upstreamBytes()));
    }
    gridLine(svg, 0, "0 B");
    gridLine(svg, 0.5, ByteSizes.format(max / 2));
    gridLine(svg, 1, ByteSizes.format(max));
    series(svg, scaled(samples, s -> s.counts().upstreamBytes(), max), UPSTREAM_COLOUR, "upstream");
    series(svg, scaled(samples, s -> s.counts().cachedBytes(), max), CACHED_COLOUR, "cached");
    timeAxis(svg, samples);
    return close(svg);
  }

  private static List<String> scaled(List<Sample> samples, ToLongFunction<Sample> value, long max) {
    List<String> points = new ArrayList<>(samples.size());
    for (int i = 0; i < samples.size(); i++) {
      points.add(point(x(i, samples.size()), y((double) value.applyAsLong(samples.get(i)) / max)));
    }
    return points;
  }

  private static StringBuilder open(String title, List<Sample> samples) {
    StringBuilder svg =
        new StringBuilder(4096 + samples.size() * 40)
            .append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"")
            .append(WIDTH)
            .append("\" height=\"")
            .append(HEIGHT)
            .append("\" viewBox=\"0 0 ")
            .append(WIDTH)
            .append(' ')
            .append(HEIGHT)
            .append("\" role=\"img\" aria-label=\"")
            .append(title)
            .append("\"><title>")
            .append(title)
            .append("</title>")
            .append("<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"#fbfcfe\"/>");
    if (samples.isEmpty()) {
      svg.append("<text x=\"")
          .append(WIDTH / 2)
          .append("\" y=\"")
          .append(HEIGHT / 2)
          .append("\" text-anchor=\"middle\" class=\"muted\">No samples yet: the first is taken ")
          .append(StatusHistory.INTERVAL.toSeconds())
          .append(" s after start.</text>");
    }
    return svg;
  }

  private static String close(StringBuilder svg) {
    return svg.append("</svg>").toString();
  }

  /** A run of points: a line with a light area under it, or a dot when it is a single point. */
  private static void series(StringBuilder svg, List<String> points, String colour, String name) {
    if (points.isEmpty()) {
      return;
    }
    if (points.size() == 1) {
      String[] xy = points.get(0).split(",", 2);
      svg.append("<circle class=\"")
          .append(name)
          .append("\" cx=\"")
          .append(xy[0])
          .append("\" cy=\"")
          .append(xy[1])
          .append("\" r=\"3\" fill=\"")
          .append(colour)
          .append("\"/>");
      return;
    }
    String line = String.join(" ", points);
    String firstX = points.get(0).split(",", 2)[0];
    String lastX = points.get(points.size() - 1).split(",", 2)[0];
    String base = fmt(y(0));
    svg.append("<polygon fill=\"")
        .append(colour)
        .append("\" fill-opacity=\"0.15\" stroke=\"none\" points=\"")
        .append(firstX)
        .append(',')
        .append(base)
        .append(' ')
        .append(line)
        .append(' ')
        .append(lastX)
        .append(',')
        .append(base)
        .append("\"/><polyline class=\"")
        .append(name)
        .append("\" fill=\"none\" stroke=\"")
        .append(colour)
        .append("\" stroke-width=\"2.5\" stroke-linejoin=\"round\" points=\"")
        .append(line)
        .append("\"/>");
  }

  private static void gridLine(StringBuilder svg, double fraction, String label) {
    String y = fmt(y(fraction));
    svg.append("<line x1=\"")
        .append(LEFT)
        .append("\" x2=\"")
        .append(WIDTH - RIGHT)
        .append("\" y1=\"")
        .append(y)
        .append("\" y2=\"")
        .append(y)
        .append("\" stroke=\"#dde3ea\" stroke-width=\"1\"/><text x=\"")
        .append(LEFT - 6)
        .append("\" y=\"")
        .append(y)
        .append("\" dy=\"4\" text-anchor=\"end\" class=\"axis\">")
        .append(StatusPage.escape(label))
        .append("</text>");
  }

  private static void timeAxis(StringBuilder svg, List<Sample> samples) {
    int textY = HEIGHT - 8;
    svg.append("<text x=\"")
        .append(LEFT)
        .append("\" y=\"")
        .append(textY)
        .append("\" class=\"axis\">")
        .append(TIME.format(samples.get(0).at()))
        .append("</text><text x=\"")
        .append(WIDTH - RIGHT)
        .append("\" y=\"")
        .append(textY)
        .append("\" text-anchor=\"end\" class=\"axis\">")
        .append(TIME.format(samples.get(samples.size() - 1).at()))
        .append(" UTC</text>");
  }

  /** The x of sample {@code i} of {@code n}: spread over the plot, a single one in the middle. */
  private static double x(int i, int n) {
    double width = WIDTH - LEFT - RIGHT;
    return n == 1 ? LEFT + width / 2 : LEFT + width * i / (n - 1);
  }

  /** The y of a fraction of the scale, 0 at the bottom of the plot. */
  private static double y(double fraction) {
    double height = HEIGHT - TOP - BOTTOM;
    return TOP + height * (1 - Math.max(0, Math.min(1, fraction)));
  }

  private static String point(double x, double y) {
    return fmt(x) + "," + fmt(y);
  }

  private static String fmt(double value) {
    return String.format(Locale.ROOT, "%.1f", value);
  }
}
