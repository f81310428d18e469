/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.manifest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.cacheproxy.core.NotFoundException;
import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.Tag;
import dev.cacheproxy.rules.RepositoryName;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The negative cache: tags an upstream recently answered {@code 404} for (MANIFEST_UNKNOWN or
 * NAME_UNKNOWN), remembered per (registry, repository, tag) for {@code notFoundCacheTime}, so that
 * a missing tag is not asked for again by every client. A time of zero remembers nothing.
 *
 * <p>Only tags are remembered. A manifest by digest and a blob are content: a 404 for them is rare
 * and asked again each time.
 *
 * <p>Concurrency: a bounded Caffeine cache, thread-safe; its entries expire {@code
 * notFoundCacheTime} after they are written, measured with the given ticker.
 */
final class MissingTags {

  /** How many missing tags are remembered at most; the least recently used go first. */
  static final int MAX_ENTRIES = 10_000;

  private record Key(String registryHost, RepositoryName repository, Tag tag) {}

  /** What the upstream said: the code and message of its 404. */
  private record Answer(OciErrorCode code, String message) {}

  private final Duration time;
  private final @Nullable Cache<Key, Answer> answers;

  MissingTags(Duration time, Ticker ticker) {
    this.time = Objects.requireNonNull(time, "time");
    this.answers =
        time.isZero() || time.isNegative()
            ? null
            : Caffeine.newBuilder()
                .maximumSize(MAX_ENTRIES)
                .expireAfterWrite(time)
                .ticker(ticker)
                .executor(Runnable::run)
                .build();
  }

  /** Remembers the upstream's 404 for {@code tag} if it says the tag or repository is unknown. */
  void remember(
      String registryHost, RepositoryName repository, Tag tag, NotFoundException notFound) {
    OciErrorCode code = notFound.code();
    if (answers == null
        || (code != OciErrorCode.MANIFEST_UNKNOWN && code != OciErrorCode.NAME_UNKNOWN)) {
      return;
    }
    String message = Objects.requireNonNullElse(notFound.getMessage(), code.description());
    answers.put(new Key(registryHost, repository, tag), new Answer(code, message));
  }

  /** The remembered 404 for {@code tag}, to throw without asking the upstream. */
  Optional<NotFoundException> recall(String registryHost, RepositoryName repository, Tag tag) {
    if (answers == null) {
      return Optional.empty();
    }
    Answer answer = answers.getIfPresent(new Key(registryHost, repository, tag));
    if (answer == null) {
      return Optional.empty();
    }
    return Optional.of(
        new NotFoundException(
            answer.code(),
            answer.message()
                + " (remembered for up to "
                + time.toSeconds()
                + " s; upstream.notFoundCacheTime)"));
  }
}
