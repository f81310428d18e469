/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cacheproxy.core.BlobStream;
import dev.cacheproxy.core.CacheStatus;
import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.NotFoundException;
import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.internal.evict.BlobLeases;
import dev.cacheproxy.core.internal.store.FileSystemBlobStore;
import dev.cacheproxy.core.testing.FaultyBlobStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the clients of a fill see when the store fails under it (a full disk, a failed rename): the
 * blob from the upstream, checked against its digest, and nothing left in the store.
 */
@Timeout(60)
class BlobFetcherFaultTest {

  private static final long SEED = 0xFA17L;
  private static final int SIZE = 300_000;

  /** The fill's upstream pauses here, so readers can take positions before the store fails. */
  private static final int PAUSE = 100_000;

  @TempDir Path root;

  private final AtomicInteger storageFailures = new AtomicInteger();
  private final byte[] content = randomBytes(SIZE, SEED);
  private final Digest digest = Digest.sha256(content);
  private FaultyBlobStore store;
  private TrackingExecutor executor;
  private BlobFetcher fetcher;

  @BeforeEach
  void setUp() {
    store = new FaultyBlobStore(new FileSystemBlobStore(root));
    executor = new TrackingExecutor();
    fetcher = new BlobFetcher(store, executor, BlobLeases.NONE, storageFailures::incrementAndGet);
  }

  @AfterEach
  void tearDown() {
    fetcher.close();
    executor.close();
  }

  @Test
  void open_noSpaceMidFill_readersAtDifferentPositionsGetIdenticalBlobsFromUpstream()
      throws Exception {
    store.failWritesAfter(150_000);
    CountDownLatch resume = new CountDownLatch(1);
    ScriptedSource source =
        new ScriptedSource()
            .serve(SIZE, new GatedBody(content).pauseAt(PAUSE, resume))
            .serveRange(content)
            .serveRange(content)
            .serveRange(content);
    int[] positions = {0, 40_000, PAUSE - 1};
    List<BlobStream> streams = new ArrayList<>();
    List<InputStream> readers = new ArrayList<>();
    List<byte[]> prefixes = new ArrayList<>();
    for (int position : positions) {
      BlobStream stream = fetcher.open(digest, source);
      InputStream in = stream.open(0);
      streams.add(stream);
      readers.add(in);
      prefixes.add(in.readNBytes(position));
    }

    resume.countDown();
    executor.awaitFinished(1);

    // The fill is over: nothing of it is in the store, and its readers have not noticed yet.
    assertThat(store.get(digest)).isEmpty();
    assertThat(tempFiles()).isEmpty();
    assertThat(storageFailures).hasValue(1);
    assertThat(fetcher.fillsInFlight()).isZero();
    List<Future<byte[]>> rests = new ArrayList<>();
    try (ExecutorService readerThreads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (InputStream in : readers) {
        rests.add(readerThreads.submit(in::readAllBytes));
      }
      for (int i = 0; i < positions.length; i++) {
        byte[] whole = concat(prefixes.get(i), rests.get(i).get(20, TimeUnit.SECONDS));
        assertThat(whole).as("reader %d", i).isEqualTo(content);
      }
    } finally {
      closeAll(readers, streams);
    }

    assertThat(source.offsets()).containsExactlyInAnyOrder(0L, 0L, 40_000L, (long) PAUSE - 1);
    assertThat(source.closes()).isEqualTo(4);
    assertThat(store.faults()).isEqualTo(1);
    assertThat(store.get(digest)).isEmpty();
  }

  @Test
  void open_noSpaceBeforeAReadersOffset_hashesTheGapFromUpstreamWithoutSendingIt()
      throws Exception {
    store.failWritesAfter(150_000);
    CountDownLatch resume = new CountDownLatch(1);
    ScriptedSource source =
        new ScriptedSource()
            .serve(SIZE, new GatedBody(content).pauseAt(PAUSE, resume))
            .serveRange(content);

    try (BlobStream stream = fetcher.open(digest, source);
        InputStream in = stream.open(250_000)) {
      resume.countDown();
      executor.awaitFinished(1);

      assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(content, 250_000, SIZE));
    }
    // Bytes before the reader's offset that the temporary file held were hashed from it.
    assertThat(source.offsets()).containsExactly(0L, (long) PAUSE);
  }

  @Test
  void open_noSpaceMidFill_upstreamIgnoringRange_skipsWhatTheReaderHas() throws Exception {
    store.failWritesAfter(150_000);
    CountDownLatch resume = new CountDownLatch(1);
    ScriptedSource source =
        new ScriptedSource()
            .serve(SIZE, new GatedBody(content).pauseAt(PAUSE, resume))
            .serveIgnoringRange(content);

    try (BlobStream stream = fetcher.open(digest, source);
        InputStream in = stream.open(0)) {
      byte[] prefix = in.readNBytes(60_000);
      resume.countDown();
      executor.awaitFinished(1);

      assertThat(concat(prefix, in.readAllBytes())).isEqualTo(content);
    }
    assertThat(source.offsets()).containsExactly(0L, 60_000L);
  }

  @Test
  void open_noSpaceMidFill_upstreamAnswersFromALaterOffset_readerFails() throws Exception {
    store.failWritesAfter(150_000);
    CountDownLatch resume = new CountDownLatch(1);
    ScriptedSource source =
        new ScriptedSource()
            .serve(SIZE, new GatedBody(content).pauseAt(PAUSE, resume))
            .serveFrom(70_000, content);

    try (BlobStream stream = fetcher.open(digest, source);
        InputStream in = stream.open(0)) {
      in.readNBytes(60_000);
      resume.countDown();
      executor.awaitFinished(1);

      assertThatThrownBy(in::readAllBytes)
          .isInstanceOf(IOException.class)
          .hasMessageContaining(digest.toString())
          .hasMessageContaining("from byte 60000 with bytes from 70000");
    }
    assertThat(source.closes()).isEqualTo(2);
  }

  @Test
  void open_noSpaceAtCreate_streamsTheBlobFromUpstreamFromTheStart() throws Exception {
    store.failCreate();
    ScriptedSource source = new ScriptedSource().serve(content).serve(content).serveRange(content);

    try (BlobStream stream = fetcher.open(digest, source)) {
      assertThat(stream.status()).isEqualTo(CacheStatus.MISS);
      assertThat(stream.file()).isEmpty();
      assertThat(stream.size()).isEqualTo(SIZE);
      assertThat(stream.digest()).isEqualTo(digest);
      try (InputStream in = stream.open(0)) {
        assertThat(in.readAllBytes()).isEqualTo(content);
      }
      // Each further open reads the upstream from the start too, to check the digest.
      try (InputStream in = stream.open(250_000)) {
        assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(content, 250_000, SIZE));
      }
    }

    executor.awaitFinished(1);
    assertThat(storageFailures).hasValue(1);
    assertThat(store.get(digest)).isEmpty();
    assertThat(tempFiles()).isEmpty();
    assertThat(fetcher.fillsInFlight()).isZero();
    assertThat(source.offsets()).containsExactly(0L, 0L, 0L);
    assertThat(source.closes()).isEqualTo(3);
  }

  @Test
  void open_noSpaceAtCreate_streamClosedUnread_releasesTheUpstream() throws Exception {
    store.failCreate();
    ScriptedSource source = new ScriptedSource().serve(content).serve(content);

    fetcher.open(digest, source).close();

    executor.awaitFinished(1);
    assertThat(source.closes()).isEqualTo(2);
  }

  @Test
  void open_noSpaceAtCreate_unknownSize_checksTheDigestAlone() throws Exception {
    store.failCreate();
    ScriptedSource source =
        new ScriptedSource().serve(-1, new GatedBody(content)).serve(-1, new GatedBody(content));

    try (BlobStream stream = fetcher.open(digest, source);
        InputStream in = stream.open(0)) {
      assertThat(stream.size()).isEqualTo(-1);
      assertThat(in.readAllBytes()).isEqualTo(content);
    }
  }

  @Test
  void open_noSpaceAtCreate_upstreamThenSaysNotFound_throwsItsException() throws Exception {
    store.failCreate();
    NotFoundException notFound =
        new NotFoundException(OciErrorCode.BLOB_UNKNOWN, "blob " + digest + " unknown upstream");
    ScriptedSource source = new ScriptedSource().serve(content).fail(notFound);

    assertThatThrownBy(() -> fetcher.open(digest, source)).isSameAs(notFound);
    executor.awaitFinished(1);
    assertThat(fetcher.fillsInFlight()).isZero();
  }

  @Test
  void open_renameFailsAtCommit_readersWithVerifiedBytesFinishAndNothingIsStored()
      throws Exception {
    store.failCommit();
    CountDownLatch go = new CountDownLatch(1);
    ScriptedSource source =
        new ScriptedSource().serve(SIZE, new GatedBody(content).pauseAt(0, go)).serveRange(content);

    try (BlobStream early = fetcher.open(digest, source);
        InputStream in = early.open(0);
        BlobStream late = fetcher.open(digest, source)) {
      go.countDown();
      assertThat(in.readAllBytes()).isEqualTo(content);
      executor.awaitFinished(1);
      assertThat(store.get(digest)).isEmpty();
      assertThat(tempFiles()).isEmpty();

      // A reader of the same stream that starts after the failure reads the upstream.
      try (InputStream afterwards = late.open(0)) {
        assertThat(afterwards.readAllBytes()).isEqualTo(content);
      }
    }

    assertThat(storageFailures).hasValue(1);
    assertThat(source.opens()).isEqualTo(2);
    assertThat(store.get(digest)).isEmpty();
  }

  @Test
  void open_upstreamBreaksDuringPassThrough_readerFailsWithoutWrongBytes() throws Exception {
    store.failWritesAfter(150_000);
    CountDownLatch resume = new CountDownLatch(1);
    CountDownLatch breakNow = new CountDownLatch(0);
    ScriptedSource source =
        new ScriptedSource()
            .serve(SIZE, new GatedBody(content).pauseAt(PAUSE, resume))
            .serveRange(
                SIZE,
                offset ->
                    new GatedBody(Arrays.copyOfRange(content, (int) offset, SIZE))
                        .breakAt(50_000, breakNow));

    ByteArrayOutputStream received = new ByteArrayOutputStream();
    try (BlobStream stream = fetcher.open(digest, source);
        InputStream in = stream.open(0)) {
      received.write(in.readNBytes(60_000));
      resume.countDown();
      executor.awaitFinished(1);

      IOException failure = drain(in, received);

      assertThat(failure).isNotNull().hasMessageContaining("connection reset");
    }
    byte[] got = received.toByteArray();
    assertThat(got.length).isLessThan(SIZE);
    assertThat(got).isEqualTo(Arrays.copyOf(content, got.length));
  }

  @Test
  void open_upstreamSendsWrongBytesDuringPassThrough_lastByteIsWithheld() throws Exception {
    store.failWritesAfter(150_000);
    CountDownLatch resume = new CountDownLatch(1);
    byte[] corrupted = content.clone();
    corrupted[SIZE - 1] ^= 1;
    ScriptedSource source =
        new ScriptedSource()
            .serve(SIZE, new GatedBody(content).pauseAt(PAUSE, resume))
            .serveRange(corrupted);

    ByteArrayOutputStream received = new ByteArrayOutputStream();
    try (BlobStream stream = fetcher.open(digest, source);
        InputStream in = stream.open(0)) {
      received.write(in.readNBytes(60_000));
      resume.countDown();
      executor.awaitFinished(1);

      IOException failure = drain(in, received);

      assertThat(failure)
          .isNotNull()
          .hasMessageContaining(digest.toString())
          .hasMessageContaining(Digest.sha256(corrupted).toString());
      assertThatThrownBy(in::read).isInstanceOf(IOException.class);
    }
    assertThat(received.toByteArray()).isEqualTo(Arrays.copyOf(content, SIZE - 1));
  }

  @Test
  void open_upstreamSendsWrongBytesFromTheStart_lastByteIsWithheld() throws Exception {
    store.failCreate();
    byte[] corrupted = content.clone();
    corrupted[SIZE - 1] ^= 1;
    ScriptedSource source = new ScriptedSource().serve(content).serve(corrupted);

    ByteArrayOutputStream received = new ByteArrayOutputStream();
    try (BlobStream stream = fetcher.open(digest, source);
        InputStream in = stream.open(0)) {
      assertThat(drain(in, received)).isNotNull().hasMessageContaining("hashed to");
    }
    assertThat(received.toByteArray()).isEqualTo(Arrays.copyOf(content, SIZE - 1));
  }

  @Test
  void open_upstreamSendsFewerBytesThanAnnounced_readerFails() throws Exception {
    store.failCreate();
    ScriptedSource source =
        new ScriptedSource()
            .serve(content)
            .serve(SIZE, new GatedBody(Arrays.copyOf(content, SIZE - 10)));

    try (BlobStream stream = fetcher.open(digest, source);
        InputStream in = stream.open(0)) {
      assertThatThrownBy(in::readAllBytes)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("sent " + (SIZE - 10) + " of the " + SIZE + " bytes");
    }
  }

  @Test
  void open_afterTheStoreRecovers_fillsAndCommitsWithOneUpstreamFetch() throws Exception {
    store.failCreate();
    CountDownLatch go = new CountDownLatch(1);
    ScriptedSource source =
        new ScriptedSource()
            .serve(content)
            .serve(content)
            .serve(SIZE, new GatedBody(content).pauseAt(0, go));
    try (BlobStream passThrough = fetcher.open(digest, source);
        InputStream in = passThrough.open(0)) {
      assertThat(in.readAllBytes()).isEqualTo(content);
    }
    executor.awaitFinished(1);

    store.heal();
    try (BlobStream first = fetcher.open(digest, source);
        BlobStream second = fetcher.open(digest, source)) {
      assertThat(fetcher.fillsInFlight()).isEqualTo(1);
      go.countDown();
      try (InputStream a = first.open(0);
          InputStream b = second.open(0)) {
        assertThat(a.readAllBytes()).isEqualTo(content);
        assertThat(b.readAllBytes()).isEqualTo(content);
      }
    }
    executor.awaitFinished(1);

    assertThat(Files.readAllBytes(store.get(digest).orElseThrow().path())).isEqualTo(content);
    assertThat(source.opens()).isEqualTo(3);
    assertThat(storageFailures).hasValue(1);
    try (BlobStream cached = fetcher.open(digest, source)) {
      assertThat(cached.status()).isEqualTo(CacheStatus.HIT);
    }
  }

  @Test
  void open_upstreamFailsMidFill_isNotAStorageFailure() throws Exception {
    CountDownLatch breakGate = new CountDownLatch(1);
    ScriptedSource source =
        new ScriptedSource().serve(SIZE, new GatedBody(content).breakAt(PAUSE, breakGate));

    try (BlobStream stream = fetcher.open(digest, source);
        InputStream in = stream.open(0)) {
      in.readNBytes(50_000);
      breakGate.countDown();
      assertThatThrownBy(in::readAllBytes)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("fill of " + digest + " failed");
    }

    executor.awaitFinished(1);
    assertThat(storageFailures).hasValue(0);
    assertThat(source.opens()).isEqualTo(1);
  }

  /** Reads {@code in} to its end into {@code received}; returns the failure that ended it. */
  private static IOException drain(InputStream in, ByteArrayOutputStream received) {
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = in.read(buffer)) != -1; ) {
        received.write(buffer, 0, n);
      }
      return null;
    } catch (IOException e) {
      return e;
    }
  }

  private List<Path> tempFiles() throws IOException {
    try (Stream<Path> files = Files.list(root.resolve("_tmp"))) {
      return files.toList();
    }
  }

  private static void closeAll(List<InputStream> readers, List<BlobStream> streams)
      throws IOException {
    for (InputStream in : readers) {
      in.close();
    }
    for (BlobStream stream : streams) {
      stream.close();
    }
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
