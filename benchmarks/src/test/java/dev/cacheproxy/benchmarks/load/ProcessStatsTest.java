/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

@EnabledOnOs(OS.LINUX)
class ProcessStatsTest {

  private final ProcessStats self = ProcessStats.of(ProcessHandle.current().pid());

  @Test
  void of_currentProcess_reportsMemory() {
    long peak = self.peakRssBytes();
    long rss = self.rssBytes();

    assertThat(rss).isPositive();
    assertThat(peak).isPositive();
    // The peak was read first, so the current size may have grown a little since.
    assertThat(peak).isGreaterThanOrEqualTo(rss - 16 * 1024 * 1024);
    assertThat(self.processCount()).isPositive();
  }

  @Test
  void cpuSeconds_growsWithBusyWork() throws NoSuchAlgorithmException {
    double before = self.cpuSeconds();
    assertThat(before).isPositive();

    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    byte[] block = new byte[64 * 1024];
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (self.cpuSeconds() < before + 0.05 && System.nanoTime() < deadline) {
      for (int i = 0; i < 100; i++) {
        block[0] = sha.digest(block)[0];
      }
    }

    assertThat(self.cpuSeconds()).isGreaterThan(before);
  }

  @Test
  void resetPeak_keepsPeakReadable() {
    self.resetPeak();

    assertThat(self.peakRssBytes()).isPositive();
    if (self.peakResettable()) {
      // Right after a reset the peak is about the current size, not an older, larger one.
      assertThat(self.peakRssBytes()).isLessThanOrEqualTo(self.rssBytes() + 64L * 1024 * 1024);
    }
  }

  @Test
  void of_parent_includesDescendants() throws IOException {
    Process shell =
        new ProcessBuilder("sh", "-c", "sleep 60 & echo started; wait")
            .redirectErrorStream(true)
            .start();
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(shell.getInputStream(), StandardCharsets.UTF_8));
      assertThat(out.readLine()).isEqualTo("started"); // the child was forked before the echo
      long child = shell.toHandle().children().findFirst().orElseThrow().pid();

      ProcessStats both = ProcessStats.of(shell.pid());
      ProcessStats childAlone = ProcessStats.of(child);

      assertThat(both.processCount()).isEqualTo(2);
      assertThat(childAlone.processCount()).isEqualTo(1);
      assertThat(both.rssBytes()).isGreaterThan(childAlone.rssBytes());
      assertThat(both.peakRssBytes()).isGreaterThan(childAlone.peakRssBytes());
    } finally {
      shell.descendants().forEach(ProcessHandle::destroyForcibly);
      shell.destroyForcibly();
    }
  }

  @Test
  void of_unknownPid_fails() {
    assertThatThrownBy(() -> ProcessStats.of(Long.MAX_VALUE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no process");
  }

  @Test
  void sample_recordsMaximum() {
    try (RssSampler sampler = ProcessStats.sample(self, Duration.ofMillis(5))) {
      assertThat(sampler.maxRssBytes()).isPositive(); // sampled once on start
    }
  }

  @Test
  void cpuTicks_parsesAfterLastParenthesis() {
    String stat =
        "1234 (we(ird) (name) S 1 1234 1234 0 -1 4194560 1000 0 0 0 250 75 3 4 20 0 1 0 100"
            + " 12345678 900 18446744073709551615";

    assertThat(ProcessStats.cpuTicks(stat)).isEqualTo(325);
    assertThatThrownBy(() -> ProcessStats.cpuTicks("no parentheses"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void statusKib_readsField() {
    String status = "Name:\tjava\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n";

    assertThat(ProcessStats.statusKib(status, "VmRSS:")).hasValue(102400);
    assertThat(ProcessStats.statusKib(status, "VmSwap:")).isEmpty();
  }
}
