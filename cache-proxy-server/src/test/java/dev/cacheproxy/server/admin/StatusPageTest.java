/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.core.UpstreamHealth;
import dev.cacheproxy.core.UpstreamHealth.Circuit;
import dev.cacheproxy.core.storage.RepositoryUsage;
import dev.cacheproxy.core.storage.StorageSettings;
import dev.cacheproxy.core.storage.StorageStatus;
import dev.cacheproxy.core.storage.UsageReport;
import dev.cacheproxy.rules.RepositoryName;
import dev.cacheproxy.rules.Rule;
import dev.cacheproxy.rules.RuleSet;
import dev.cacheproxy.server.admin.StatusHistory.Counts;
import dev.cacheproxy.server.admin.StatusHistory.Sample;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.undertow.Undertow;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Renders the status page from hand-made snapshots, and from a real, empty {@link CacheProxy}. */
class StatusPageTest {

  private static final Instant NOW = Instant.parse("2026-03-04T05:06:07Z");
  private static final String EVIL = "<script>alert('x')</script>";
  private static final Pattern POLYLINE =
      Pattern.compile("<polyline class=\"ratio\"[^>]* points=\"([^\"]*)\"");
  private static final Pattern DOT = Pattern.compile("<circle class=\"ratio\"");

  @TempDir Path dir;

  private static List<Sample> samples(int n) {
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      samples.add(
          new Sample(
              NOW.minus(StatusHistory.INTERVAL.multipliedBy(n - 1 - i)),
              new Counts(10, i % 11, 1000L * i, 100L * i, 50L * i)));
    }
    return samples;
  }

  private static StatusPage.Snapshot withData(List<Sample> samples) {
    List<RepositoryUsage> repositories = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      repositories.add(
          new RepositoryUsage(
              "docker.io",
              RepositoryName.of("library/app" + i),
              "hub",
              2,
              (i + 1) * (1L << 20),
              1L << 20,
              i == 0 ? null : NOW.minusSeconds(i)));
    }
    repositories.add(
        new RepositoryUsage(EVIL, RepositoryName.of("evil/repo"), EVIL, 1, 1L << 40, 0, NOW));
    return new StatusPage.Snapshot(
        NOW,
        NOW.minus(Duration.ofHours(3).plusMinutes(12)),
        samples,
        new Counts(400, 300, 9_000_000, 6_000_000, 3_000_000),
        new UsageReport(repositories, 40, 5L << 30, 3, 1234),
        List.of(
            new UpstreamHealth(
                "docker.io",
                List.of(
                    new UpstreamHealth.Endpoint(
                        URI.create("https://registry-1.docker.io"), Circuit.CLOSED, 0, 20, 0, null),
                    new UpstreamHealth.Endpoint(
                        URI.create("https://mirror.example"),
                        Circuit.OPEN,
                        80,
                        10,
                        8,
                        NOW.plusSeconds(30))),
                2,
                16,
                7),
            new UpstreamHealth(EVIL, List.of(), 0, 8, 0)),
        new StorageStatus(
            StorageSettings.DEFAULTS.withMaxSize(10L << 30), 5L << 30, 40, 20L << 30, 3, 77, 1),
        List.of(Rule.of("hub", "hub/*", "docker.io/*")),
        Map.of("hub", 321L, EVIL, 5L));
  }

  private static int ratioPoints(String html) {
    int points = 0;
    Matcher m = POLYLINE.matcher(html);
    while (m.find()) {
      points += m.group(1).trim().split(" +").length;
    }
    Matcher dots = DOT.matcher(html);
    while (dots.find()) {
      points++;
    }
    return points;
  }

  @Test
  void render_withData_showsEverySection() {
    String html = StatusPage.render(withData(samples(30)));

    assertThat(html)
        .startsWith("<!DOCTYPE html>")
        .contains("<meta http-equiv=\"refresh\" content=\"10\">")
        .contains("3 h 12 min")
        // since start: 300 of 400 requests, 6 MB from the cache
        .contains("75.0 %")
        .contains("5.7 MiB")
        .contains("docker.io/library/app11")
        .contains("12.0 MiB")
        .contains("https://registry-1.docker.io")
        .contains("<span class=\"badge ok\">closed</span>")
        .contains("<span class=\"badge bad\">open</span>")
        .contains("80 % of 10 calls failed")
        .contains("backed off until 2026-03-04 05:06:37 UTC")
        .contains("10.0 GiB (50 % used)")
        .contains("20.0 GiB")
        .contains("3 images")
        .contains("<td class=\"name\">hub</td><td>hub/*</td><td>docker.io/*</td><td>enabled</td>")
        .contains("<td class=\"num\">321</td>")
        .doesNotContain("<script")
        .doesNotContain("<link", " src=", "<img")
        .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    assertThat(html).as("the largest first, top 10 only").doesNotContain("library/app1<");
    assertThat(html.indexOf("evil/repo")).isLessThan(html.indexOf("library/app11"));
    assertThat(html.indexOf("library/app11")).isLessThan(html.indexOf("library/app3<"));
    assertThat(html).doesNotContain("library/app2<");
  }

  @Test
  void render_hitRatioChart_hasOnePointPerSample() {
    for (int n : new int[] {1, 2, 45, StatusHistory.CAPACITY}) {
      String html = StatusPage.render(withData(samples(n)));
      assertThat(ratioPoints(html)).as("points for %s samples", n).isEqualTo(n);
      assertThat(html).contains(n == 1 ? "r=\"3\" fill=\"" : "stroke=\"").contains("#2f7ed8");
    }
  }

  @Test
  void render_anIntervalWithoutRequests_leavesAGapInTheLine() {
    List<Sample> samples = new ArrayList<>(samples(6));
    samples.set(3, new Sample(samples.get(3).at(), Counts.ZERO));

    String html = StatusPage.render(withData(samples));

    assertThat(ratioPoints(html)).isEqualTo(5);
    assertThat(POLYLINE.matcher(html).results().count()).as("two runs").isEqualTo(2);
  }

  @Test
  void render_withoutData_saysSo(@TempDir Path data) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (CacheProxy proxy =
            CacheProxy.builder()
                .rules(RuleSet.of(List.of(Rule.of("up", "up/*", "http://127.0.0.1:9/*"))))
                .dataDirectory(data)
                .meterRegistry(registry)
                .build();
        StatusHistory history = new StatusHistory(registry, Clock.fixed(NOW, ZoneOffset.UTC))) {
      StatusPage page =
          new StatusPage(proxy, history, Clock.fixed(NOW.plusSeconds(42), ZoneOffset.UTC));

      String html = StatusPage.render(page.snapshot());

      assertThat(html)
          .contains("42 s")
          .contains("The cache is empty.")
          .contains("No upstream was called since start.")
          .contains("No samples yet")
          .contains("<dt>Limit</dt><dd>no limit</dd>")
          .contains("0 B in 0 blobs")
          .contains("<td class=\"name\">up</td>")
          .doesNotContain("<polyline")
          .doesNotContain("NaN");
      assertThat(ratioPoints(html)).isZero();
    }
  }

  @Test
  void handle_servesTheHtml_uncached() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (CacheProxy proxy =
            CacheProxy.builder()
                .rules(RuleSet.of(List.of(Rule.of("up", "up/*", "http://127.0.0.1:9/*"))))
                .dataDirectory(dir.resolve("data"))
                .meterRegistry(registry)
                .build();
        StatusHistory history = new StatusHistory(registry, Clock.systemUTC())) {
      history.sample();
      Undertow server =
          Undertow.builder()
              .setIoThreads(1)
              .setWorkerThreads(1)
              .addHttpListener(0, "127.0.0.1")
              .setHandler(new StatusPage(proxy, history))
              .build();
      server.start();
      try (HttpClient client = HttpClient.newHttpClient()) {
        int port = ((InetSocketAddress) server.getListenerInfo().getFirst().getAddress()).getPort();
        HttpResponse<String> response =
            client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
            .hasValue("text/html; charset=utf-8");
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(response.body()).contains("<h2>Upstream health</h2>").endsWith("</html>\n");
      } finally {
        server.stop();
      }
    }
  }

  @Test
  void escape_coversTheCharactersThatEndTextOrAnAttribute() {
    assertThat(StatusPage.escape("a&b<c>d\"e'f")).isEqualTo("a&amp;b&lt;c&gt;d&quot;e&#39;f");
  }

  @Test
  void uptime_readsLikeAPersonWouldSayIt() {
    assertThat(StatusPage.uptime(Duration.ofSeconds(42))).isEqualTo("42 s");
    assertThat(StatusPage.uptime(Duration.ofSeconds(125))).isEqualTo("2 min 5 s");
    assertThat(StatusPage.uptime(Duration.ofMinutes(192))).isEqualTo("3 h 12 min");
    assertThat(StatusPage.uptime(Duration.ofHours(51))).isEqualTo("2 d 3 h");
  }
}
