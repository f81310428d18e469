/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cacheproxy.core.BlobStream;
import dev.cacheproxy.core.CacheStatus;
import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.NotFoundException;
import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.ProxyException;
import dev.cacheproxy.core.UpstreamException;
import dev.cacheproxy.core.internal.store.FileSystemBlobStore;
import dev.cacheproxy.core.spi.BlobStore;
import dev.cacheproxy.core.spi.BlobWriter;
import dev.cacheproxy.core.spi.StoredBlob;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class BlobFetcherTest {

  private static final long SEED = 0xB10BL;

  @TempDir Path root;

  private FileSystemBlobStore store;
  private TrackingExecutor executor;
  private BlobFetcher fetcher;

  @BeforeEach
  void setUp() {
    store = new FileSystemBlobStore(root);
    executor = new TrackingExecutor();
    fetcher = new BlobFetcher(store, executor);
  }

  @AfterEach
  void tearDown() {
    fetcher.close();
    executor.close();
  }

  @Test
  void open_sixteenConcurrentMisses_oneUpstreamOpen() throws Exception {
    byte[] content = randomBytes(1_000_000, SEED);
    Digest digest = Digest.sha256(content);
    CountDownLatch bodyGate = new CountDownLatch(1);
    ScriptedSource source =
        new ScriptedSource().serve(content.length, new GatedBody(content).pauseAt(0, bodyGate));
    int clients = 16;
    CyclicBarrier start = new CyclicBarrier(clients);
    CountDownLatch allOpened = new CountDownLatch(clients);
    List<Future<byte[]>> reads = new ArrayList<>();

    try (ExecutorService clientThreads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < clients; i++) {
        reads.add(
            clientThreads.submit(() -> {
              start.await(10, TimeUnit.SECONDS);
              try (BlobStream stream = fetcher.open(digest, source)) {
                allOpened.countDown();
                assertThat(stream.status()).isEqualTo(CacheStatus.MISS);
                try (InputStream in = stream.open(0)) {
                  return in.readAllBytes();
                }
              }
            }));
      }
      // No byte of the body has been sent yet, so every client joined the same fill.
      assertThat(allOpened.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(fetcher.fillsInFlight()).isEqualTo(1);
      bodyGate.countDown();
      for (Future<byte[]> read : reads) {
        assertThat(read.get(20, TimeUnit.SECONDS)).isEqualTo(content);
      }
    }

    assertThat(source.opens()).isEqualTo(1);
    executor.awaitFinished(1);
    assertThat(Files.readAllBytes(store.get(digest).orElseThrow().path())).isEqualTo(content);
    assertThat(fetcher.fillsInFlight()).isZero();
    assertThat(source.closes()).isEqualTo(1);
  }

  @Test
  void open_readerGetsFirstChunkBeforeUpstreamFinishes() throws Exception {
    int chunk = 64 * 1024;
    byte[] content = randomBytes(3 * chunk, SEED + 1);
    Digest digest = Digest.sha256(content);
    CountDownLatch readerGotFirstChunk = new CountDownLatch(1);
    ScriptedSource source =
        new ScriptedSource()
            .serve(content.length, new GatedBody(content).pauseAt(chunk, readerGotFirstChunk));

    try (BlobStream stream = fetcher.open(digest, source);
        InputStream in = stream.open(0)) {
      // All of the first chunk but the byte held back until the digest is verified.
      byte[] first = in.readNBytes(chunk - 1);
      assertThat(first).isEqualTo(Arrays.copyOf(content, chunk - 1));
      assertThat(store.get(digest)).isEmpty();
      readerGotFirstChunk.countDown();

      byte[] rest = in.readAllBytes();
      assertThat(rest).isEqualTo(Arrays.copyOfRange(content, chunk - 1, content.length));
    }
  }

  @Test
  void open_readerClosesMidStream_fillStillCommits() throws Exception {
    byte[] content = randomBytes(500_000, SEED + 2);
    Digest digest = Digest.sha256(content);
    CountDownLatch readerLeft = new CountDownLatch(1);
    ScriptedSource source =
        new ScriptedSource()
            .serve(content.length, new GatedBody(content).pauseAt(100_000, readerLeft));

    try (BlobStream stream = fetcher.open(digest, source);
        InputStream in = stream.open(0)) {
      assertThat(in.readNBytes(50_000)).isEqualTo(Arrays.copyOf(content, 50_000));
    }
    readerLeft.countDown();

    executor.awaitFinished(1);
    assertThat(Files.readAllBytes(store.get(digest).orElseThrow().path())).isEqualTo(content);
    assertThat(fetcher.fillsInFlight()).isZero();
    assertThat(source.opens()).isEqualTo(1);
  }

  @Test
  void open_upstreamFailsMidFill_everyReaderThrowsAndNextOpenRefetches() throws Exception {
    byte[] content = randomBytes(300_000, SEED + 3);
    Digest digest = Digest.sha256(content);
    CountDownLatch breakGate = new CountDownLatch(1);
    ScriptedSource source =
        new ScriptedSource()
            .serve(content.length, new GatedBody(content).breakAt(100_000, breakGate))
            .serve(content);
    int readers = 3;
    CountDownLatch readersStarted = new CountDownLatch(readers);
    List<Future<Throwable>> outcomes = new ArrayList<>();

    try (ExecutorService readerThreads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < readers; i++) {
        BlobStream stream = fetcher.open(digest, source);
        InputStream in = stream.open(0);
        outcomes.add(
            readerThreads.submit(() -> {
              try (stream;
                  in) {
                assertThat(in.readNBytes(50_000)).isEqualTo(Arrays.copyOf(content, 50_000));
                readersStarted.countDown();
                in.readAllBytes();
                return new AssertionError("the read should have failed");
              } catch (IOException e) {
                return e;
              }
            }));
      }
      assertThat(readersStarted.await(10, TimeUnit.SECONDS)).isTrue();
      breakGate.countDown();
      for (Future<Throwable> outcome : outcomes) {
        assertThat(outcome.get(20, TimeUnit.SECONDS))
            .isInstanceOf(IOException.class)
            .hasMessageContaining("fill of " + digest + " failed")
            .hasMessageContaining("connection reset");
      }
    }

    executor.awaitFinished(1);
    assertThat(store.get(digest)).isEmpty();
    assertThat(tempFiles()).isEmpty();
    assertThat(fetcher.fillsInFlight()).isZero();
    assertThat(source.closes()).isEqualTo(1);

    try (BlobStream again = fetcher.open(digest, source);
        InputStream in = again.open(0)) {
      assertThat(in.readAllBytes()).isEqualTo(content);
    }
    assertThat(source.opens()).isEqualTo(2);
  }

  @Test
  void open_digestMismatch_readersNeverGetLastByte() throws Exception {
    byte[] content = randomBytes(200_000, SEED + 4);
    Digest digest = Digest.sha256(content);
    byte[] corrupted = content.clone();
    corrupted[corrupted.length - 1] ^= 1;
    CountDownLatch go = new CountDownLatch(1);
    ScriptedSource source =
        new ScriptedSource().serve(content.length, new GatedBody(corrupted).pauseAt(0, go));

    int received = 0;
    try (BlobStream stream = fetcher.open(digest, source);
        InputStream in = stream.open(0)) {
      go.countDown();
      byte[] buffer = new byte[8192];
      IOException failure = null;
      try {
        for (int n; (n = in.read(buffer)) != -1; ) {
          received += n;
        }
      } catch (IOException e) {
        failure = e;
      }
      assertThat(failure)
          .isNotNull()
          .hasMessageContaining("fill of " + digest + " failed")
          .hasMessageContaining(Digest.sha256(corrupted).toString());
    }

    assertThat(received).isLessThan(content.length);
    executor.awaitFinished(1);
    assertThat(store.get(digest)).isEmpty();
    assertThat(tempFiles()).isEmpty();
    assertThat(fetcher.fillsInFlight()).isZero();
  }

  @Test
  void open_verifiedBlob_readersFinishBeforeTheSlowCommit() throws Exception {
    byte[] content = randomBytes(300_000, SEED + 40);
    Digest digest = Digest.sha256(content);
    CountDownLatch commitMayProceed = new CountDownLatch(1);
    BlobFetcher slowCommits =
        new BlobFetcher(new CommitGatedStore(store, commitMayProceed), executor);
    CountDownLatch go = new CountDownLatch(1);
    ScriptedSource source =
        new ScriptedSource().serve(content.length, new GatedBody(content).pauseAt(0, go));

    try (BlobStream stream = slowCommits.open(digest, source);
        InputStream in = stream.open(0)) {
      go.countDown();
      assertThat(in.readAllBytes()).isEqualTo(content);
      assertThat(store.get(digest)).as("not yet durable while the reader completed").isEmpty();
    } finally {
      commitMayProceed.countDown();
    }
    executor.awaitFinished(1);
    assertThat(store.get(digest)).isPresent();
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void open_fillVerifiedAndStillCommitting_laterRequestIsAHit() throws Exception {
    byte[] content = randomBytes(100_000, SEED + 41);
    Digest digest = Digest.sha256(content);
    CountDownLatch commitMayProceed = new CountDownLatch(1);
    BlobFetcher slowCommits =
        new BlobFetcher(new CommitGatedStore(store, commitMayProceed), executor);
    CountDownLatch go = new CountDownLatch(1);
    ScriptedSource source =
        new ScriptedSource().serve(content.length, new GatedBody(content).pauseAt(0, go));
    try (BlobStream first = slowCommits.open(digest, source);
        InputStream in = first.open(0)) {
      go.countDown();
      assertThat(in.readAllBytes()).isEqualTo(content);
      assertThat(first.status()).isEqualTo(CacheStatus.MISS);
    }

    CompletableFuture<BlobStream> later = new CompletableFuture<>();
    Thread requester =
        Thread.ofPlatform()
            .start(() -> {
              try {
                later.complete(slowCommits.open(digest, source));
              } catch (RuntimeException e) {
                later.completeExceptionally(e);
              }
            });
    // Every byte is verified and on disk; the request only waits for the commit.
    awaitParked(requester);
    commitMayProceed.countDown();

    try (BlobStream stream = later.get(10, TimeUnit.SECONDS)) {
      assertThat(stream.status()).isEqualTo(CacheStatus.HIT);
      assertThat(stream.file()).isPresent();
    }
    assertThat(source.opens()).isEqualTo(1);
  }

  /** Waits until {@code thread} is parked, i.e. waiting on a fill. */
  private static void awaitParked(Thread thread) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (thread.getState() != Thread.State.TIMED_WAITING
        && thread.getState() != Thread.State.WAITING) {
      assertThat(thread.isAlive()).as("requester thread alive").isTrue();
      assertThat(System.nanoTime()).as("requester parked within 10 s").isLessThan(deadline);
      Thread.yield();
    }
  }

  /** A store whose writers wait for a latch before committing, like a slow fsync. */
  private record CommitGatedStore(BlobStore delegate, CountDownLatch gate) implements BlobStore {
    @Override
    public java.util.Optional<StoredBlob> get(Digest digest) throws IOException {
      return delegate.get(digest);
    }

    @Override
    public boolean delete(Digest digest) throws IOException {
      return delegate.delete(digest);
    }

    @Override
    public void forEach(java.util.function.Consumer<StoredBlob> visitor) throws IOException {
      delegate.forEach(visitor);
    }

    @Override
    public long usableSpace() throws IOException {
      return delegate.usableSpace();
    }

    @Override
    public BlobWriter create(Digest expected) throws IOException {
      BlobWriter writer = delegate.create(expected);
      return new BlobWriter() {
        @Override
        public Path temporaryFile() {
          return writer.temporaryFile();
        }

        @Override
        public void write(java.nio.ByteBuffer buffer) throws IOException {
          writer.write(buffer);
        }

        @Override
        public long written() {
          return writer.written();
        }

        @Override
        public void verify(long expectedSize) throws IOException {
          writer.verify(expectedSize);
        }

        @Override
        public StoredBlob commit(long expectedSize) throws IOException {
          try {
            if (!gate.await(10, TimeUnit.SECONDS)) {
              throw new IOException("commit gate never opened");
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
          }
          return writer.commit(expectedSize);
        }

        @Override
        public void close() throws IOException {
          writer.close();
        }
      };
    }
  }

  @Test
  void open_bodyShorterThanAnnounced_readersFailAndNothingIsStored() throws Exception {
    byte[] content = randomBytes(100_000, SEED + 5);
    Digest digest = Digest.sha256(content);
    CountDownLatch go = new CountDownLatch(1);
    ScriptedSource source =
        new ScriptedSource().serve(content.length + 1, new GatedBody(content).pauseAt(0, go));

    try (BlobStream stream = fetcher.open(digest, source);
        InputStream in = stream.open(0)) {
      assertThat(stream.size()).isEqualTo(content.length + 1);
      go.countDown();
      assertThatThrownBy(in::readAllBytes)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("fill of " + digest + " failed");
    }

    executor.awaitFinished(1);
    assertThat(store.get(digest)).isEmpty();
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void open_bodyLongerThanAnnounced_failsWithoutReadingItAll() throws Exception {
    byte[] content = randomBytes(300_000, SEED + 6);
    Digest digest = Digest.sha256(content);
    CountDownLatch go = new CountDownLatch(1);
    ScriptedSource source =
        new ScriptedSource().serve(1_000, new GatedBody(content).pauseAt(0, go));

    try (BlobStream stream = fetcher.open(digest, source);
        InputStream in = stream.open(0)) {
      go.countDown();
      assertThatThrownBy(in::readAllBytes)
          .isInstanceOf(IOException.class)
          .hasMessageContaining("more than the 1000 bytes");
    }

    executor.awaitFinished(1);
    assertThat(store.get(digest)).isEmpty();
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void open_notFoundUpstream_rethrowsSourceExceptionAndCachesNothing() throws Exception {
    Digest digest = Digest.sha256(randomBytes(10, SEED + 7));
    NotFoundException notFound =
        new NotFoundException(OciErrorCode.BLOB_UNKNOWN, "blob " + digest + " unknown upstream");
    ScriptedSource source = new ScriptedSource().fail(notFound).fail(notFound);

    assertThatThrownBy(() -> fetcher.open(digest, source)).isSameAs(notFound);
    assertThat(fetcher.fillsInFlight()).isZero();
    assertThatThrownBy(() -> fetcher.open(digest, source)).isSameAs(notFound);

    assertThat(source.opens()).isEqualTo(2);
    executor.awaitFinished(2);
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void open_upstreamUnreachable_throwsUnavailableWithStatusZero() {
    Digest digest = Digest.sha256(randomBytes(10, SEED + 8));
    ConnectException refused = new ConnectException("connection refused");
    ScriptedSource source = new ScriptedSource().fail(refused);

    assertThatThrownBy(() -> fetcher.open(digest, source))
        .isInstanceOfSatisfying(
            UpstreamException.class,
            e -> {
              assertThat(e.code()).isEqualTo(OciErrorCode.UNAVAILABLE);
              assertThat(e.upstreamStatus()).isZero();
            })
        .hasMessageContaining(digest.toString())
        .hasCause(refused);
  }

  @Test
  void open_offsetWithinFill_waitsForThoseBytes() throws Exception {
    byte[] content = randomBytes(300_000, SEED + 9);
    Digest digest = Digest.sha256(content);
    CountDownLatch go = new CountDownLatch(1);
    ScriptedSource source =
        new ScriptedSource().serve(content.length, new GatedBody(content).pauseAt(0, go));

    try (BlobStream stream = fetcher.open(digest, source);
        InputStream in = stream.open(200_000);
        ExecutorService readerThread = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<byte[]> tail = readerThread.submit(in::readAllBytes);
      go.countDown();
      assertThat(tail.get(20, TimeUnit.SECONDS))
          .isEqualTo(Arrays.copyOfRange(content, 200_000, content.length));
    }
  }

  @Test
  void open_committedBlob_servedFromFileWithoutUpstream() throws Exception {
    byte[] content = randomBytes(100_000, SEED + 10);
    Digest digest = Digest.sha256(content);
    StoredBlob stored = put(content);
    ScriptedSource source = new ScriptedSource();

    try (BlobStream stream = fetcher.open(digest, source)) {
      assertThat(stream.status()).isEqualTo(CacheStatus.HIT);
      assertThat(stream.file()).contains(stored.path());
      assertThat(stream.size()).isEqualTo(content.length);
      assertThat(stream.digest()).isEqualTo(digest);
      try (InputStream in = stream.open(0)) {
        assertThat(in.readAllBytes()).isEqualTo(content);
      }
      try (InputStream in = stream.open(99_000)) {
        assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(content, 99_000, 100_000));
      }
    }

    assertThat(source.opens()).isZero();
    assertThat(executor.started()).isZero();
  }

  @Test
  void open_largeBlob_streamsIdenticalBytesToEveryReader() throws Exception {
    byte[] content = randomBytes(32 * 1024 * 1024, SEED + 11);
    Digest digest = Digest.sha256(content);
    CountDownLatch go = new CountDownLatch(1);
    ScriptedSource source =
        new ScriptedSource().serve(content.length, new GatedBody(content).pauseAt(0, go));
    List<Future<String>> hashes = new ArrayList<>();

    try (ExecutorService readerThreads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 4; i++) {
        BlobStream stream = fetcher.open(digest, source);
        assertThat(stream.size()).isEqualTo(content.length);
        hashes.add(readerThreads.submit(() -> hashOf(stream)));
      }
      go.countDown();
      for (Future<String> hash : hashes) {
        assertThat(hash.get(30, TimeUnit.SECONDS)).isEqualTo(digest.hex());
      }
    }

    assertThat(source.opens()).isEqualTo(1);
  }

  @Test
  void sizeInFlight_whileFilling_reportsUpstreamSize() throws Exception {
    byte[] content = randomBytes(10_000, SEED + 12);
    Digest digest = Digest.sha256(content);
    CountDownLatch go = new CountDownLatch(1);
    ScriptedSource source =
        new ScriptedSource().serve(content.length, new GatedBody(content).pauseAt(0, go));
    assertThat(fetcher.sizeInFlight(digest)).isEmpty();

    try (BlobStream stream = fetcher.open(digest, source)) {
      assertThat(fetcher.sizeInFlight(digest)).isEqualTo(OptionalLong.of(content.length));
      assertThat(stream.size()).isEqualTo(content.length);
      assertThat(stream.file()).isEmpty();
      go.countDown();
    }

    executor.awaitFinished(1);
    assertThat(fetcher.sizeInFlight(digest)).isEmpty();
    assertThat(fetcher.fillsInFlight()).isZero();
  }

  @Test
  void open_unknownSize_streamsAndCommitsWhatArrived() throws Exception {
    byte[] content = randomBytes(150_000, SEED + 13);
    Digest digest = Digest.sha256(content);
    CountDownLatch go = new CountDownLatch(1);
    ScriptedSource source = new ScriptedSource().serve(-1, new GatedBody(content).pauseAt(0, go));

    try (BlobStream stream = fetcher.open(digest, source);
        InputStream in = stream.open(0)) {
      assertThat(stream.size()).isEqualTo(-1);
      assertThat(fetcher.sizeInFlight(digest)).isEmpty();
      go.countDown();
      assertThat(in.readAllBytes()).isEqualTo(content);
      assertThat(stream.size()).isEqualTo(content.length);
    }

    executor.awaitFinished(1);
    assertThat(store.get(digest)).isPresent();
  }

  @Test
  void open_streamOfFinishedFill_readsCommittedFile() throws Exception {
    byte[] content = randomBytes(50_000, SEED + 14);
    Digest digest = Digest.sha256(content);
    CountDownLatch go = new CountDownLatch(1);
    ScriptedSource source =
        new ScriptedSource().serve(content.length, new GatedBody(content).pauseAt(0, go));

    try (BlobStream stream = fetcher.open(digest, source)) {
      go.countDown();
      executor.awaitFinished(1);
      // The temporary file was renamed; a reader opened now finds the committed file.
      assertThat(stream.status()).isEqualTo(CacheStatus.MISS);
      try (InputStream in = stream.open(0)) {
        assertThat(in.readAllBytes()).isEqualTo(content);
      }
    }
  }

  @Test
  void open_fillFinishedBeforeTheCallerLooks_isStillAMiss() throws Exception {
    byte[] content = randomBytes(1_000, SEED + 17);
    Digest digest = Digest.sha256(content);
    ScriptedSource source = new ScriptedSource().serve(content.length, new GatedBody(content));
    // The fill runs to its commit inside execute(), before open() waits for its headers.
    try (BlobFetcher inline = new BlobFetcher(store, Runnable::run);
        BlobStream stream = inline.open(digest, source)) {
      assertThat(stream.file()).isPresent();
      assertThat(stream.status()).isEqualTo(CacheStatus.MISS);
    }
    try (BlobStream again = fetcher.open(digest, source)) {
      assertThat(again.status()).isEqualTo(CacheStatus.HIT);
    }
    assertThat(source.opens()).isEqualTo(1);
  }

  @Test
  void close_stopsNewFillsButServesCachedBlobs() throws Exception {
    byte[] cached = randomBytes(1_000, SEED + 15);
    put(cached);
    Digest missing = Digest.sha256(randomBytes(1_000, SEED + 16));
    ScriptedSource source = new ScriptedSource();

    fetcher.close();

    try (BlobStream stream = fetcher.open(Digest.sha256(cached), source)) {
      assertThat(stream.status()).isEqualTo(CacheStatus.HIT);
    }
    assertThatThrownBy(() -> fetcher.open(missing, source))
        .isInstanceOfSatisfying(
            ProxyException.class, e -> assertThat(e.code()).isEqualTo(OciErrorCode.UNAVAILABLE))
        .hasMessageContaining(missing.toString());
    assertThat(source.opens()).isZero();
  }

  @Test
  void open_executorRejectsFill_throwsUnavailableAndLeavesNoFill() {
    Digest digest = Digest.sha256(randomBytes(10, SEED + 17));
    BlobFetcher rejecting =
        new BlobFetcher(
            store,
            task -> {
              throw new RejectedExecutionException("no threads left");
            });

    assertThatThrownBy(() -> rejecting.open(digest, new ScriptedSource()))
        .isInstanceOfSatisfying(
            ProxyException.class, e -> assertThat(e.code()).isEqualTo(OciErrorCode.UNAVAILABLE))
        .hasMessageContaining(digest.toString());
    assertThat(rejecting.fillsInFlight()).isZero();
  }

  private StoredBlob put(byte[] content) throws IOException {
    try (BlobWriter writer = store.create(Digest.sha256(content))) {
      writer.write(ByteBuffer.wrap(content));
      return writer.commit(content.length);
    }
  }

  private List<Path> tempFiles() throws IOException {
    try (Stream<Path> files = Files.list(root.resolve("_tmp"))) {
      return files.toList();
    }
  }

  private static String hashOf(BlobStream stream) throws IOException {
    MessageDigest sha256 = stream.digest().newMessageDigest();
    try (stream;
        InputStream in = stream.open(0)) {
      byte[] buffer = new byte[100_000];
      for (int n; (n = in.read(buffer)) != -1; ) {
        sha256.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(sha256.digest());
  }

  private static byte[] randomBytes(int length, long seed) {
    byte[] bytes = new byte[length];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }
}
