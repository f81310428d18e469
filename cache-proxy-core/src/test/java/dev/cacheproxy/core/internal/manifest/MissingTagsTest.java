/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.cacheproxy.core.NotFoundException;
import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.Tag;
import dev.cacheproxy.rules.RepositoryName;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MissingTagsTest {

  private static final RepositoryName APP = RepositoryName.of("team/app");
  private static final Tag NOPE = Tag.parse("nope");

  private final AtomicLong nanos = new AtomicLong();
  private final Ticker ticker = nanos::get;

  private static NotFoundException notFound(OciErrorCode code) {
    return new NotFoundException(code, "team/app:nope: manifest unknown upstream");
  }

  @Test
  void remembered_untilTheTimeIsOver() {
    MissingTags missing = new MissingTags(Duration.ofSeconds(30), ticker);
    missing.remember("r.example", APP, NOPE, notFound(OciErrorCode.MANIFEST_UNKNOWN));

    nanos.addAndGet(Duration.ofSeconds(29).toNanos());
    assertThat(missing.recall("r.example", APP, NOPE))
        .hasValueSatisfying(e -> {
          assertThat(e.code()).isEqualTo(OciErrorCode.MANIFEST_UNKNOWN);
          assertThat(e).hasMessageContaining("team/app:nope").hasMessageContaining("30 s");
        });

    nanos.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(missing.recall("r.example", APP, NOPE)).isEmpty();
  }

  @Test
  void keyedByRegistryRepositoryAndTag() {
    MissingTags missing = new MissingTags(Duration.ofSeconds(30), ticker);
    missing.remember("r.example", APP, NOPE, notFound(OciErrorCode.NAME_UNKNOWN));

    assertThat(missing.recall("r.example", APP, NOPE)).isPresent();
    assertThat(missing.recall("other.example", APP, NOPE)).isEmpty();
    assertThat(missing.recall("r.example", RepositoryName.of("team/other"), NOPE)).isEmpty();
    assertThat(missing.recall("r.example", APP, Tag.parse("1.0"))).isEmpty();
  }

  @Test
  void otherCodes_notRemembered() {
    MissingTags missing = new MissingTags(Duration.ofSeconds(30), ticker);
    missing.remember("r.example", APP, NOPE, notFound(OciErrorCode.BLOB_UNKNOWN));

    assertThat(missing.recall("r.example", APP, NOPE)).isEmpty();
  }

  @Test
  void zeroTime_remembersNothing() {
    MissingTags missing = new MissingTags(Duration.ZERO, ticker);
    missing.remember("r.example", APP, NOPE, notFound(OciErrorCode.MANIFEST_UNKNOWN));

    assertThat(missing.recall("r.example", APP, NOPE)).isEmpty();
  }
}
