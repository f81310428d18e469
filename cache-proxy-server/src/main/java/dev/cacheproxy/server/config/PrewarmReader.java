/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.config;

import com.cronutils.model.Cron;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cacheproxy.core.ProxyException;
import dev.cacheproxy.server.prewarm.PrewarmImage;
import dev.cacheproxy.server.prewarm.PrewarmJob;
import dev.cacheproxy.server.prewarm.Window;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads the {@code prewarm} key: a list of jobs, each with a {@code name}, a cron {@code schedule},
 * an optional {@code window} and {@code timezone}, optional {@code platforms} and the {@code
 * images} to warm. Every error names the key, as in {@code prewarm[0].schedule}.
 */
public final class PrewarmReader {

  /** Every key of a job. */
  static final List<String> KEYS =
      List.of("name", "schedule", "window", "timezone", "platforms", "images");

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Pattern PLATFORM =
      Pattern.compile("[a-z0-9._-]+/[a-z0-9._-]+(/[a-z0-9._-]+)?");

  /** Where the check for runs inside the window starts; any day would do. */
  private static final Instant REFERENCE = Instant.parse("2026-01-01T00:00:00Z");

  private PrewarmReader() {}

  /**
   * Reads the value of the {@code prewarm} key; absent or empty means no jobs.
   *
   * @throws ConfigException naming the key and the problem
   */
  public static List<PrewarmJob> read(@Nullable JsonNode node) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw new ConfigException(
          "prewarm must be a list of jobs, each with a name, a schedule and images, not "
              + ConfigSection.kind(node));
    }
    List<PrewarmJob> jobs = new ArrayList<>();
    Map<String, String> names = new HashMap<>();
    for (int i = 0; i < node.size(); i++) {
      String path = "prewarm[" + i + "]";
      PrewarmJob job = job(ConfigSection.of(path, "", node.get(i)));
      String earlier = names.putIfAbsent(job.name(), path);
      if (earlier != null) {
        throw new ConfigException(
            path + ".name: '" + job.name() + "' is the name of " + earlier + " already");
      }
      jobs.add(job);
    }
    return List.copyOf(jobs);
  }

  private static PrewarmJob job(ConfigSection section) {
    section.allowOnly(KEYS);
    String name = section.requiredString("name");
    if (!NAME.matcher(name).matches()) {
      throw new ConfigException(
          section.keyPath("name")
              + " '"
              + name
              + "' must be letters, digits, '.', '_' or '-', such as nightly-base");
    }
    String expression = section.requiredString("schedule");
    Cron schedule;
    try {
      schedule = PrewarmJob.parseSchedule(expression);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          section.keyPath("schedule")
              + " '"
              + expression
              + "' is not a cron schedule: "
              + e.getMessage()
              + "; write 5 fields (minute hour day-of-month month day-of-week), such as \"0 2 * * *\"",
          e);
    }
    Window window = null;
    String windowText = section.string("window");
    if (windowText != null) {
      try {
        window = Window.parse(windowText);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(section.keyPath("window") + ": " + e.getMessage(), e);
      }
    }
    ZoneId zone = ZoneId.of("UTC");
    String zoneText = section.string("timezone");
    if (zoneText != null) {
      try {
        zone = ZoneId.of(zoneText.trim());
      } catch (DateTimeException e) {
        throw new ConfigException(
            section.keyPath("timezone")
                + " '"
                + zoneText
                + "' is not a time zone; write a region such as Europe/Berlin, or UTC",
            e);
      }
    }
    List<String> platforms = section.stringList("platforms");
    platforms = platforms == null ? List.of() : platforms;
    for (int i = 0; i < platforms.size(); i++) {
      if (!PLATFORM.matcher(platforms.get(i).trim()).matches()) {
        throw new ConfigException(
            section.keyPath("platforms")
                + "["
                + i
                + "] '"
                + platforms.get(i)
                + "' is not os/architecture[/variant], such as linux/amd64 or linux/arm64/v8");
      }
    }
    List<String> imageTexts = section.stringList("images");
    if (imageTexts == null || imageTexts.isEmpty()) {
      throw new ConfigException(
          section.keyPath("images")
              + " is missing: list the images to warm, such as [hub/library/nginx:1.27]");
    }
    List<PrewarmImage> images = new ArrayList<>();
    for (int i = 0; i < imageTexts.size(); i++) {
      try {
        images.add(PrewarmImage.parse(imageTexts.get(i).trim()));
      } catch (IllegalArgumentException | ProxyException e) {
        throw new ConfigException(
            section.keyPath("images")
                + "["
                + i
                + "] '"
                + imageTexts.get(i)
                + "' is not an image: "
                + e.getMessage(),
            e);
      }
    }
    PrewarmJob job =
        new PrewarmJob(
            name, schedule, window, zone, images, platforms.stream().map(String::trim).toList());
    if (job.nextRun(REFERENCE).isEmpty()) {
      throw new ConfigException(
          section.keyPath("schedule")
              + " '"
              + expression
              + "' never runs"
              + (window == null
                  ? ""
                  : " inside " + section.keyPath("window") + " " + window + " (" + zone + ")"));
    }
    return job;
  }
}
