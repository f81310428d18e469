/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import static dev.cacheproxy.server.it.TestImages.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.server.ProxyServer;
import dev.cacheproxy.server.admin.ProcessMetrics;
import dev.cacheproxy.server.admin.StatusHistory;
import dev.cacheproxy.server.admin.StatusPage;
import dev.cacheproxy.server.config.ProxyConfig;
import io.undertow.Undertow;
import java.awt.image.BufferedImage;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Looks at the admin status page the way a person does: pulls an image through the proxy with
 * skopeo so that the page has data, then has headless Chromium take a screenshot of it and dump its
 * DOM. The screenshot is kept as {@code <build dir>/status-page.png} for a human to look at.
 */
class StatusPageIT extends EndToEndTestBase {

  private static final String REPO = "it/status-page";
  private static final Duration CHROMIUM_TIMEOUT = Duration.ofSeconds(60);
  private static final int WIDTH = 1280;
  private static final int HEIGHT = 1600;

  /** {@code StatusChart.RATIO_COLOUR}, the hit-ratio line: #2f7ed8. */
  private static final int RATIO_RGB = 0x2f7ed8;

  @Test
  void statusPage_inHeadlessChromium_drawsTheHitRatio_andListsTheCachedRepository(@TempDir Path tmp)
      throws Exception {
    Path chromium = RequiredTools.chromium();
    TestImages.Image image =
        TestImages.write(tmp.resolve("layout"), "v1", 7301, 1500, 2 * MIB, 3 * MIB + 17);
    skopeo().push(image.layout(), "v1", registry().ref(REPO, "v1"));
    ProxyConfig config =
        ProxyConfig.parse(InProcessProxy.configYaml(registry()))
            .withPort(0)
            .withDataDirectory(tmp.resolve("data"));

    try (ProcessMetrics metrics = ProcessMetrics.start();
        CacheProxy proxy = config.newCacheProxy(metrics.registry());
        ProxyServer server = ProxyServer.start(proxy, "127.0.0.1", 0);
        StatusHistory history = StatusHistory.start(proxy.meterRegistry())) {
      String ref = "docker://127.0.0.1:" + server.port() + "/" + InProcessProxy.PREFIX + REPO;
      // one interval before any pull (no requests: a gap in the line), one with the cold pull
      // (misses), two with warm pulls (hits): a line from 0 % up to 100 %
      history.sample();
      skopeo().copy(ref + ":v1", tmp.resolve("cold"));
      history.sample();
      skopeo().copy(ref + ":v1", tmp.resolve("warm1"));
      history.sample();
      skopeo().copy(ref + ":v1", tmp.resolve("warm2"));
      history.sample();

      Undertow admin =
          Undertow.builder()
              .setIoThreads(1)
              .setWorkerThreads(2)
              .addHttpListener(0, "127.0.0.1")
              .setHandler(new StatusPage(proxy, history))
              .build();
      admin.start();
      try {
        int port = ((InetSocketAddress) admin.getListenerInfo().getFirst().getAddress()).getPort();
        String url = "http://127.0.0.1:" + port + "/";
        CommandRunner browser =
            new CommandRunner("chromium", tmp.resolve("chromium"), Map.of(), () -> "");

        Path png = tmp.resolve("status.png");
        browser
            .run(chromiumCommand(chromium, tmp, "--screenshot=" + png, url), CHROMIUM_TIMEOUT)
            .requireSuccess();
        Path kept = keep(png);
        System.out.println("status page screenshot: " + kept);
        checkScreenshot(png);

        String dom =
            browser
                .run(chromiumCommand(chromium, tmp, "--dump-dom", url), CHROMIUM_TIMEOUT)
                .requireSuccess()
                .stdout();
        assertThat(dom)
            .contains(registry().hostPort() + "/" + REPO)
            .contains("Upstream health")
            .contains("Top repositories by cached size")
            .contains("Disk usage")
            .contains("<td class=\"name\">upstream</td>")
            .contains("class=\"ratio\"")
            .doesNotContain("The cache is empty");
      } finally {
        admin.stop();
      }
    }
  }

  private static List<String> chromiumCommand(Path chromium, Path tmp, String action, String url) {
    List<String> command = new ArrayList<>();
    command.add(chromium.toString());
    command.addAll(
        List.of(
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-proxy-server",
            "--user-data-dir=" + tmp.resolve("chromium-profile"),
            "--window-size=" + WIDTH + "," + HEIGHT,
            action,
            url));
    return command;
  }

  /** The screenshot decodes, is the window's width, is no blank page, and shows the ratio line. */
  private static void checkScreenshot(Path png) throws Exception {
    assertThat(png).exists().isNotEmptyFile();
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image).as("%s decodes as an image", png).isNotNull();
    assertThat(image.getWidth()).isEqualTo(WIDTH);
    Set<Integer> colours = new HashSet<>();
    int ratioPixels = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int rgb = image.getRGB(x, y) & 0xffffff;
        colours.add(rgb);
        if (near(rgb, RATIO_RGB)) {
          ratioPixels++;
        }
      }
    }
    assertThat(colours.size()).as("distinct colours: the page is not blank").isGreaterThan(50);
    assertThat(ratioPixels)
        .as("pixels of the hit-ratio line's colour #2f7ed8 (its legend key alone has 100)")
        .isGreaterThan(400);
  }

  private static boolean near(int rgb, int target) {
    for (int shift = 0; shift <= 16; shift += 8) {
      if (Math.abs(((rgb >> shift) & 0xff) - ((target >> shift) & 0xff)) > 6) {
        return false;
      }
    }
    return true;
  }

  /** Copies the screenshot to {@code <build dir>/status-page.png}, for a human to look at. */
  private static Path keep(Path png) throws Exception {
    // <build dir>/test-classes -> <build dir>/status-page.png, whatever the build dir's name
    Path testClasses =
        Path.of(StatusPageIT.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path kept = testClasses.resolveSibling("status-page.png");
    Files.copy(png, kept, StandardCopyOption.REPLACE_EXISTING);
    return kept;
  }
}
