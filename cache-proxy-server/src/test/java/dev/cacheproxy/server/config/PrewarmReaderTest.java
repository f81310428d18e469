/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.Tag;
import dev.cacheproxy.server.prewarm.PrewarmJob;
import dev.cacheproxy.server.prewarm.Window;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

class PrewarmReaderTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static List<PrewarmJob> read(String yaml) throws Exception {
    return PrewarmReader.read(YAML.readTree(yaml).get("prewarm"));
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> refused(String yaml) {
    return assertThatThrownBy(() -> read(yaml)).isInstanceOf(ConfigException.class);
  }

  private static String job(String extra) {
    return """
    prewarm:
      - name: nightly
        schedule: "0 2 * * *"
        images: [up/app:v1]
    """
        + extra;
  }

  @Test
  void read_fullJob() throws Exception {
    String digest = "sha256:" + "b".repeat(64);
    List<PrewarmJob> jobs =
        read(
            """
            prewarm:
              - name: nightly-base
                schedule: "0 2 * * *"
                window: "01:00-05:00"
                timezone: Europe/Berlin
                platforms: [linux/amd64, linux/arm64/v8]
                images:
                  - hub/library/nginx:1.27
                  - k8s/pause@%s
              - name: weekly
                schedule: "30 23 * * 0"
                images: [up/app:v1]
            """
                .formatted(digest));

    assertThat(jobs).hasSize(2);
    PrewarmJob nightly = jobs.get(0);
    assertThat(nightly.name()).isEqualTo("nightly-base");
    assertThat(nightly.scheduleText()).isEqualTo("0 2 * * *");
    assertThat(nightly.window()).isEqualTo(new Window(LocalTime.of(1, 0), LocalTime.of(5, 0)));
    assertThat(nightly.zone()).isEqualTo(ZoneId.of("Europe/Berlin"));
    assertThat(nightly.platforms()).containsExactly("linux/amd64", "linux/arm64/v8");
    assertThat(nightly.images()).hasSize(2);
    assertThat(nightly.images().get(0).repository().value()).isEqualTo("hub/library/nginx");
    assertThat(nightly.images().get(0).reference()).isEqualTo(Tag.parse("1.27"));
    assertThat(nightly.images().get(1).reference()).isEqualTo(Digest.parse(digest));
    PrewarmJob weekly = jobs.get(1);
    assertThat(weekly.window()).isNull();
    assertThat(weekly.zone()).isEqualTo(ZoneId.of("UTC"));
    assertThat(weekly.platforms()).isEmpty();
  }

  @Test
  void read_absentOrEmpty_isNoJobs() throws Exception {
    assertThat(PrewarmReader.read(null)).isEmpty();
    assertThat(read("prewarm:\n")).isEmpty();
    assertThat(read("prewarm: []\n")).isEmpty();
  }

  @Test
  void read_notAList() {
    refused("prewarm:\n  name: x\n").hasMessageStartingWith("prewarm must be a list of jobs");
  }

  @Test
  void read_jobNotAMapping() {
    refused("prewarm: [nightly]\n").hasMessageContaining("prewarm[0] must be a mapping");
  }

  @Test
  void read_unknownKey_hintsTheClosest() {
    refused(job("    shedule: x\n"))
        .hasMessageContaining("unknown key 'shedule' at prewarm[0].shedule")
        .hasMessageContaining("did you mean 'schedule'?");
  }

  @Test
  void read_missingKeys() {
    refused("prewarm:\n  - schedule: \"0 2 * * *\"\n    images: [up/a:1]\n")
        .hasMessage("prewarm[0].name is missing");
    refused("prewarm:\n  - name: n\n    images: [up/a:1]\n")
        .hasMessage("prewarm[0].schedule is missing");
    refused("prewarm:\n  - name: n\n    schedule: \"0 2 * * *\"\n")
        .hasMessageStartingWith("prewarm[0].images is missing");
    refused("prewarm:\n  - name: n\n    schedule: \"0 2 * * *\"\n    images: []\n")
        .hasMessageStartingWith("prewarm[0].images is missing");
  }

  @Test
  void read_badName() {
    refused(job("").replace("nightly", "night ly"))
        .hasMessageStartingWith("prewarm[0].name 'night ly'");
  }

  @Test
  void read_invalidCron_givesTheParsersMessage() {
    refused(job("").replace("0 2 * * *", "0 2 * *"))
        .hasMessageStartingWith("prewarm[0].schedule '0 2 * *' is not a cron schedule")
        .hasMessageContaining("4 parts");
    refused(job("").replace("0 2 * * *", "61 2 * * *"))
        .hasMessageContaining("Value 61 not in range [0, 59]");
  }

  @Test
  void read_badWindow() {
    refused(job("    window: 1am-5am\n")).hasMessageStartingWith("prewarm[0].window: '1am'");
    refused(job("    window: 03:00-03:00\n")).hasMessageContaining("is empty");
  }

  @Test
  void read_badTimezone() {
    refused(job("    timezone: Mars/Olympus\n"))
        .hasMessageStartingWith("prewarm[0].timezone 'Mars/Olympus' is not a time zone");
  }

  @Test
  void read_badPlatform() {
    refused(job("    platforms: [linux/amd64, amd64]\n"))
        .hasMessageStartingWith("prewarm[0].platforms[1] 'amd64' is not os/architecture");
  }

  @Test
  void read_badImages() {
    refused(job("").replace("[up/app:v1]", "[up/app:v1, up/app]"))
        .hasMessageStartingWith("prewarm[0].images[1] 'up/app' is not an image")
        .hasMessageContaining("name:tag or name@digest");
    refused(job("").replace("[up/app:v1]", "[Up/App:v1]"))
        .hasMessageStartingWith("prewarm[0].images[0] 'Up/App:v1' is not an image");
    refused(job("").replace("[up/app:v1]", "[up/app@md5]"))
        .hasMessageStartingWith("prewarm[0].images[0] 'up/app@md5' is not an image");
    refused(job("").replace("[up/app:v1]", "[up/app:v1, 5]"))
        .hasMessageStartingWith("prewarm[0].images[1] must be a string");
  }

  @Test
  void read_duplicateNames() {
    refused(
            """
            prewarm:
              - name: nightly
                schedule: "0 2 * * *"
                images: [up/app:v1]
              - name: nightly
                schedule: "0 3 * * *"
                images: [up/app:v2]
            """)
        .hasMessage("prewarm[1].name: 'nightly' is the name of prewarm[0] already");
  }

  @Test
  void read_scheduleNeverInsideTheWindow() {
    refused(
            job("    window: \"01:00-05:00\"\n    timezone: Europe/Berlin\n")
                .replace("0 2", "0 12"))
        .hasMessage(
            "prewarm[0].schedule '0 12 * * *' never runs inside prewarm[0].window 01:00-05:00"
                + " (Europe/Berlin)");
  }

  @Test
  void read_windowAcrossMidnight_acceptsALateSchedule() throws Exception {
    assertThat(read(job("    window: \"22:00-04:00\"\n").replace("0 2", "30 23")).get(0).window())
        .hasToString("22:00-04:00");
  }
}
