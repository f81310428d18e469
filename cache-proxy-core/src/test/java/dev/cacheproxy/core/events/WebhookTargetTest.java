/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WebhookTargetTest {

  private static final URI URL = URI.create("https://hooks.example/cache");

  @Test
  void of_sendsEveryEventWithTheDefaultAttempts() {
    WebhookTarget target = WebhookTarget.of(URL);

    assertThat(target.maxAttempts()).isEqualTo(WebhookTarget.DEFAULT_MAX_ATTEMPTS);
    assertThat(CacheEvent.TYPES).allSatisfy(type -> assertThat(target.accepts(type)).isTrue());
    assertThat(target.hostAndPort()).isEqualTo("hooks.example:443");
  }

  @Test
  void events_limitWhatIsAccepted() {
    WebhookTarget target = new WebhookTarget(URL, null, Set.of("cache.fill"), 3);

    assertThat(target.accepts("cache.fill")).isTrue();
    assertThat(target.accepts("cache.evict")).isFalse();
  }

  @Test
  void constructor_rejectsWhatCannotWork() {
    assertThatThrownBy(() -> new WebhookTarget(URI.create("ftp://h/x"), null, Set.of(), 3))
        .hasMessageContaining("http or https");
    assertThatThrownBy(() -> new WebhookTarget(URI.create("/relative"), null, Set.of(), 3))
        .hasMessageContaining("http or https");
    assertThatThrownBy(() -> new WebhookTarget(URL, null, Set.of("cache.filled"), 3))
        .hasMessageContaining("unknown webhook event type 'cache.filled'")
        .hasMessageContaining("cache.fill, tag.updated");
    assertThatThrownBy(() -> new WebhookTarget(URL, null, Set.of(), 0))
        .hasMessageContaining("from 1 to 100");
    assertThatThrownBy(() -> new WebhookTarget(URL, null, Set.of(), 101))
        .hasMessageContaining("from 1 to 100");
    assertThatThrownBy(() -> new WebhookTarget(URL, "", Set.of(), 3))
        .hasMessageContaining("secret");
  }

  @Test
  void toString_neverShowsTheSecret() {
    WebhookTarget target = new WebhookTarget(URL, "hunter2", Set.of(), 3);

    assertThat(target.toString()).doesNotContain("hunter2").contains("secret=***");
    assertThat(WebhookTarget.of(URL).toString()).contains("secret=none");
  }
}
