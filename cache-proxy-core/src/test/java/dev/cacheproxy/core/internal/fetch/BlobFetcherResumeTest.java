/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cacheproxy.core.BlobStream;
import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.NotFoundException;
import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.UpstreamException;
import dev.cacheproxy.core.internal.evict.BlobLeases;
import dev.cacheproxy.core.internal.store.FileSystemBlobStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fills whose upstream body breaks mid-way: they resume with ranged requests into the same file,
 * and their readers get the blob as if nothing happened, or fail without a spliced blob.
 */
@Timeout(60)
class BlobFetcherResumeTest {

  private static final int SIZE = 300_000;
  private static final int ATTEMPTS = 3;
  private static final CountDownLatch OPEN = new CountDownLatch(0);

  @TempDir Path root;

  private final byte[] content = randomBytes(SIZE, 0x5E5L);
  private final Digest digest = Digest.sha256(content);
  private final List<Integer> pauses = new CopyOnWriteArrayList<>();

  /** Holds the first response's break until the test has opened its stream. */
  private final CountDownLatch go = new CountDownLatch(1);

  private FileSystemBlobStore store;
  private TrackingExecutor executor;
  private BlobFetcher fetcher;

  @BeforeEach
  void setUp() {
    store = new FileSystemBlobStore(root);
    executor = new TrackingExecutor();
    fetcher = new BlobFetcher(store, executor, BlobLeases.NONE, () -> {}, ATTEMPTS, pauses::add);
  }

  @AfterEach
  void tearDown() {
    fetcher.close();
    executor.close();
  }

  @Test
  void open_threeBreaksThenSuccess_readersGetIdenticalBytesFromOneFile() throws Exception {
    CountDownLatch firstBreak = new CountDownLatch(1);
    ScriptedSource source =
        new ScriptedSource()
            .serve(SIZE, new GatedBody(content).breakAt(50_000, firstBreak))
            .serveRange(SIZE, offset -> rangeBreakingAt(offset, 120_000))
            .serveRange(SIZE, offset -> rangeBreakingAt(offset, 200_000))
            .serveRange(content);
    int readers = 3;
    CountDownLatch readersStarted = new CountDownLatch(readers);
    List<Future<byte[]>> results = new ArrayList<>();

    try (ExecutorService readerThreads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < readers; i++) {
        BlobStream stream = fetcher.open(digest, source);
        InputStream in = stream.open(0);
        results.add(
            readerThreads.submit(() -> {
              try (stream;
                  in) {
                byte[] head = in.readNBytes(40_000);
                readersStarted.countDown();
                return concat(head, in.readAllBytes());
              }
            }));
      }
      assertThat(readersStarted.await(10, TimeUnit.SECONDS)).isTrue();
      firstBreak.countDown();
      for (Future<byte[]> result : results) {
        assertThat(result.get(20, TimeUnit.SECONDS)).isEqualTo(content);
      }
    }

    executor.awaitFinished(1);
    assertThat(source.offsets()).containsExactly(0L, 50_000L, 120_000L, 200_000L);
    assertThat(fetcher.resumes()).isEqualTo(3);
    // Every resume made progress, so each was a first attempt again.
    assertThat(pauses).containsExactly(1, 1, 1);
    assertThat(source.closes()).isEqualTo(4);
    assertThat(store.get(digest)).isPresent();
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void open_bodyEndsBeforeTheAnnouncedSize_resumesFromWhereItEnded() throws Exception {
    ScriptedSource source =
        new ScriptedSource()
            .serve(SIZE, new ByteArrayInputStream(content, 0, 123_456))
            .serveRange(content);

    try (BlobStream stream = fetcher.open(digest, source);
        InputStream in = stream.open(0)) {
      assertThat(in.readAllBytes()).isEqualTo(content);
    }

    executor.awaitFinished(1);
    assertThat(source.offsets()).containsExactly(0L, 123_456L);
    assertThat(store.get(digest)).isPresent();
  }

  @Test
  void open_attemptsWithoutProgressRunOut_readersFailAndNothingIsStored() throws Exception {
    ScriptedSource source =
        new ScriptedSource()
            .serve(SIZE, new GatedBody(content).breakAt(100_000, go))
            .fail(new IOException("connection refused"))
            .fail(
                new UpstreamException(
                    OciErrorCode.UNAVAILABLE, "upstream answered 503", 503, null, null))
            .serveRange(SIZE, offset -> rangeBreakingAt(offset, offset));

    try (BlobStream stream = fetcher.open(digest, source);
        InputStream in = stream.open(0)) {
      go.countDown();
      assertThatThrownBy(in::readAllBytes)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("fill of " + digest + " failed")
          .hasMessageContaining("kept breaking (3 resume attempts without progress)");
    }

    executor.awaitFinished(1);
    assertThat(source.offsets()).containsExactly(0L, 100_000L, 100_000L, 100_000L);
    assertThat(pauses).containsExactly(1, 2, 3);
    assertThat(fetcher.resumes()).isEqualTo(3);
    assertThat(source.closes()).isEqualTo(2);
    assertThat(store.get(digest)).isEmpty();
    assertThat(tempFiles()).isEmpty();
    assertThat(fetcher.fillsInFlight()).isZero();
  }

  @Test
  void open_upstreamIgnoresRange_skipsTheBytesWrittenWithoutHashingThemTwice() throws Exception {
    ScriptedSource source =
        new ScriptedSource()
            .serve(SIZE, new GatedBody(content).breakAt(100_000, go))
            .serveIgnoringRange(content);

    try (BlobStream stream = fetcher.open(digest, source);
        InputStream in = stream.open(0)) {
      go.countDown();
      assertThat(in.readAllBytes()).isEqualTo(content);
    }

    executor.awaitFinished(1);
    assertThat(source.offsets()).containsExactly(0L, 100_000L);
    // The store verified the digest over the file: the skipped bytes were not written again.
    assertThat(store.get(digest)).hasValueSatisfying(b -> assertThat(b.size()).isEqualTo(SIZE));
  }

  @Test
  void open_resumedBlobHasAnotherEtag_failsWithoutSplicing() throws Exception {
    ScriptedSource source =
        new ScriptedSource()
            .etag("\"v1\"")
            .serve(SIZE, new GatedBody(content).breakAt(100_000, go))
            .etag("\"v2\"")
            .serveRange(content);

    try (BlobStream stream = fetcher.open(digest, source);
        InputStream in = stream.open(0)) {
      go.countDown();
      assertThatThrownBy(in::readAllBytes)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("cannot resume " + digest + " from byte 100000")
          .hasMessageContaining("now has ETag \"v2\", not \"v1\"");
    }

    executor.awaitFinished(1);
    assertThat(source.ifRanges()).containsExactly("\"v1\"");
    assertThat(source.opens()).isEqualTo(2);
    assertThat(store.get(digest)).isEmpty();
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void open_resumedBlobHasAnotherSize_failsWithoutSplicing() throws Exception {
    ScriptedSource source =
        new ScriptedSource()
            .serve(SIZE, new GatedBody(content).breakAt(100_000, go))
            .serveRange(SIZE + 1, offset -> rangeBreakingAt(offset, SIZE + 1));

    try (BlobStream stream = fetcher.open(digest, source);
        InputStream in = stream.open(0)) {
      go.countDown();
      assertThatThrownBy(in::readAllBytes)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("now announces 300001 bytes, not 300000");
    }

    executor.awaitFinished(1);
    assertThat(source.opens()).isEqualTo(2);
    assertThat(store.get(digest)).isEmpty();
  }

  @Test
  void open_resumedFromALaterOffset_failsWithoutSplicing() throws Exception {
    ScriptedSource source =
        new ScriptedSource()
            .serve(SIZE, new GatedBody(content).breakAt(100_000, go))
            .serveFrom(150_000, content);

    try (BlobStream stream = fetcher.open(digest, source);
        InputStream in = stream.open(0)) {
      go.countDown();
      assertThatThrownBy(in::readAllBytes)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("answered from offset 150000");
    }

    executor.awaitFinished(1);
    assertThat(store.get(digest)).isEmpty();
  }

  @Test
  void open_upstreamAnswersNotFoundOnResume_failsWithoutAnotherAttempt() throws Exception {
    ScriptedSource source =
        new ScriptedSource()
            .serve(SIZE, new GatedBody(content).breakAt(100_000, go))
            .fail(new NotFoundException(OciErrorCode.BLOB_UNKNOWN, "blob " + digest + " gone"))
            .serveRange(content);

    try (BlobStream stream = fetcher.open(digest, source);
        InputStream in = stream.open(0)) {
      go.countDown();
      assertThatThrownBy(in::readAllBytes)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("gone");
    }

    executor.awaitFinished(1);
    assertThat(source.opens()).isEqualTo(2);
    assertThat(fetcher.resumes()).isEqualTo(1);
    assertThat(store.get(digest)).isEmpty();
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void open_noResumeAttempts_failsAtTheFirstBreak() throws Exception {
    BlobFetcher strict = new BlobFetcher(store, executor, BlobLeases.NONE, () -> {}, 0);
    ScriptedSource source =
        new ScriptedSource()
            .serve(SIZE, new GatedBody(content).breakAt(100_000, go))
            .serveRange(content);

    try (BlobStream stream = strict.open(digest, source);
        InputStream in = stream.open(0)) {
      go.countDown();
      assertThatThrownBy(in::readAllBytes)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("connection reset at byte 100000");
    }

    executor.awaitFinished(1);
    assertThat(source.opens()).isEqualTo(1);
    assertThat(strict.resumes()).isZero();
  }

  @Test
  void backoff_growsExponentiallyWithJitterUpToTheCap() {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 100; i++) {
      assertThat(ResumeBackoff.delay(1, random)).isBetween(ms(50), ms(100));
      assertThat(ResumeBackoff.delay(3, random)).isBetween(ms(200), ms(400));
      assertThat(ResumeBackoff.delay(7, random)).isBetween(ms(2_500), ms(5_000));
      assertThat(ResumeBackoff.delay(1_000, random)).isBetween(ms(2_500), ms(5_000));
    }
  }

  /** The rest of the blob from {@code offset}, breaking before the byte at {@code breakAt}. */
  private InputStream rangeBreakingAt(long offset, long breakAt) {
    byte[] rest = Arrays.copyOfRange(content, (int) offset, content.length);
    return new GatedBody(rest).breakAt((int) (breakAt - offset), OPEN);
  }

  private List<Path> tempFiles() throws IOException {
    try (Stream<Path> files = Files.list(root.resolve("_tmp"))) {
      return files.toList();
    }
  }

  private static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }

  private static byte[] concat(byte[] first, byte[] second) {
    byte[] both = Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, both, first.length, second.length);
    return both;
  }

  private static byte[] randomBytes(int length, long seed) {
    byte[] bytes = new byte[length];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }
}
