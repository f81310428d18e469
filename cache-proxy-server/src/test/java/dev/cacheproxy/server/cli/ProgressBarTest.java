/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link ProgressBar} with a fake clock. */
class ProgressBarTest {

  private static final long GIB = 1L << 30;

  private final StringWriter err = new StringWriter();
  private long now;

  private ProgressBar bar(boolean terminal) {
    return new ProgressBar(new PrintWriter(err, true), "verify", terminal, () -> now);
  }

  @Test
  void terminal_redrawsOneLineInPlace_atMostEvery100ms_andAlwaysTheLast() {
    ProgressBar bar = bar(true);

    bar.progress(0, 100_000, 0, 8 * GIB);
    now += TimeUnit.MILLISECONDS.toNanos(50);
    bar.progress(1_000, 100_000, GIB / 10, 8 * GIB);
    now += TimeUnit.MILLISECONDS.toNanos(60);
    bar.progress(1_234, 100_000, (long) (2.1 * GIB), 8 * GIB);
    bar.progress(100_000, 100_000, 8 * GIB, 8 * GIB);
    bar.finish();

    assertThat(err.toString())
        .isEqualTo(
            "\r[....................] 0/100000 blobs, 0.0/8.0 GiB"
                + "\r[#####...............] 1234/100000 blobs, 2.1/8.0 GiB"
                + "\r[####################] 100000/100000 blobs, 8.0/8.0 GiB"
                + System.lineSeparator());
  }

  @Test
  void plain_printsALineEvery10Seconds_withoutCarriageReturns() {
    ProgressBar bar = bar(false);

    bar.progress(0, 10, 0, 1000);
    now += TimeUnit.SECONDS.toNanos(9);
    bar.progress(3, 10, 300, 1000);
    now += TimeUnit.SECONDS.toNanos(1);
    bar.progress(4, 10, 400, 1000);
    now += TimeUnit.SECONDS.toNanos(1);
    bar.progress(10, 10, 1000, 1000);
    bar.finish();

    assertThat(err.toString())
        .isEqualTo("verify: 4/10 blobs, 400/1000 B (40%)" + System.lineSeparator());
  }

  @Test
  void sizes_useTheUnitOfTheTotal() {
    assertThat(ProgressBar.sizes(0, 0)).isEqualTo("0/0 B");
    assertThat(ProgressBar.sizes(512, 3 * 1024 * 1024)).isEqualTo("0.0/3.0 MiB");
    assertThat(ProgressBar.bar(0, 0)).isEqualTo("[####################]");
  }
}
