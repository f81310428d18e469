/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import static dev.cacheproxy.server.it.TestImages.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar with its admin listener, and its {@code warm} and {@code purge} subcommands run
 * as separate {@code java -jar} processes: a warmed image is pulled with the upstream registry
 * stopped, byte for byte; once purged, the same pull fails.
 */
class AdminApiIT extends EndToEndTestBase {

  private static final String REPO = "it/admin-api";

  /** A tag stays fresh for an hour: pulls after the warm never ask the upstream. */
  private static String config(RegistryProcess upstream) {
    return """
    rules:
      - name: upstream
        target: "up/*"
        source: "http://%s/*"
        tagFreshness: 1h
    """
        .formatted(upstream.hostPort());
  }

  @Test
  void warmedImage_pullsWithTheUpstreamDown_andPurgedImageDoesNot(@TempDir Path tmp)
      throws Exception {
    TestImages.Image image =
        TestImages.write(tmp.resolve("layout"), "v1", 4242, 2000, 3 * MIB + 17, 12 * MIB + 5);
    skopeo().push(image.layout(), "v1", registry().ref(REPO, "v1"));

    try (AdminJarProxy proxy = AdminJarProxy.start(tmp.resolve("proxy"), config(registry()))) {
      AdminJarProxy.CommandResult warm = proxy.command("warm", "up/" + REPO + ":v1");
      System.out.println("AdminApiIT: cache-proxy warm printed:\n" + warm.output());
      assertThat(warm.exitCode()).as(warm.output()).isZero();
      int blobs = image.blobDigests().size(); // the config and 3 layers
      long size = image.config().size() + image.layers().stream().mapToLong(d -> d.size()).sum();
      assertThat(warm.output())
          .contains(
              "warmed up/"
                  + REPO
                  + ":v1: fetched "
                  + blobs
                  + " of "
                  + blobs
                  + " blobs ("
                  + dev.cacheproxy.core.storage.ByteSizes.format(size)
                  + " of "
                  + dev.cacheproxy.core.storage.ByteSizes.format(size)
                  + ") in ");

      registry().stop();
      try {
        Path pulled = tmp.resolve("pulled");
        skopeo().copy(proxy.ref(REPO, "v1"), pulled);
        PulledImage.assertIdentical(image, pulled);

        AdminJarProxy.CommandResult purge = proxy.command("purge", "up/" + REPO + ":v1");
        System.out.println("AdminApiIT: cache-proxy purge printed:\n" + purge.output());
        assertThat(purge.exitCode()).as(purge.output()).isZero();
        assertThat(purge.output())
            .contains("purged " + registry().hostPort() + "/" + REPO + ":v1: 1 manifest, 1 tag,");

        Skopeo.Result afterPurge = skopeo().tryCopy(proxy.ref(REPO, "v1"), tmp.resolve("again"));
        assertThat(afterPurge.exitCode())
            .as(
                "a pull of the purged tag with the upstream down must fail: %s",
                afterPurge.stderr())
            .isNotZero();
      } finally {
        registry().start();
      }

      AdminJarProxy.CommandResult missing = proxy.command("warm", "up/" + REPO + ":nope");
      System.out.println("AdminApiIT: warm of a missing tag printed:\n" + missing.output());
      assertThat(missing.exitCode()).as(missing.output()).isEqualTo(1);
      assertThat(missing.output()).contains("warming up/" + REPO + ":nope failed:");
    }
  }

  @Test
  void commands_withNoAdminListener_exit2_namingTheUrl(@TempDir Path tmp) throws Exception {
    int closed = FreePorts.find();
    try (JarIT.JarProcess cli =
        JarIT.JarProcess.start(tmp, "warm", "up/x:1", "--admin", "http://127.0.0.1:" + closed)) {
      assertThat(cli.awaitExit()).isEqualTo(2);
      assertThat(cli.output())
          .contains("cannot reach the admin listener at http://127.0.0.1:" + closed);
    }
  }
}
