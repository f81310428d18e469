/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks.load;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * A TCP relay that emulates a distant link between the caches and the upstream registry: each byte
 * is delivered {@code oneWayLatency} after it was read, a new connection's first bytes wait one
 * round trip more (TCP's handshake), and each direction shares one bandwidth cap over all
 * connections, like one real link.
 *
 * <p>Concurrency: one acceptor thread; per relayed connection and direction a reader thread and a
 * writer thread (all virtual) joined by a {@link LinkQueue} bounded in bytes, so a slow consumer
 * back-pressures the sender. The two directions share one {@link TokenBucket} each. Any error on
 * either socket closes both sockets and aborts both queues, which ends all four threads. {@link
 * #close()} closes the listening socket, joins the acceptor, aborts every relay and joins their
 * threads. A relay removes itself from {@link #relays} when its last thread ends.
 */
public final class LinkEmulator implements AutoCloseable {
  private static final int CHUNK_BYTES = 64 * 1024;

  /** The smallest piece a writer takes from the bucket at once, so connections share fairly. */
  private static final int MIN_PIECE_BYTES = 16 * 1024;

  /** The smallest burst of the bucket; larger caps get 2 ms worth, to absorb wake-up jitter. */
  private static final long MIN_BURST_BYTES = 64 * 1024;

  private static final long MIN_QUEUE_BYTES = 1 << 20;
  private static final long MAX_QUEUE_BYTES = 8 << 20;
  private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

  private final ServerSocket server;
  private final int targetPort;
  private final long latencyNanos;
  private final long queueBytes;
  private final int pieceBytes;
  private final TokenBucket upBucket;
  private final TokenBucket downBucket;
  private final Set<Relay> relays = ConcurrentHashMap.newKeySet();
  private final LongAdder bytesDown = new LongAdder();
  private final LongAdder connections = new LongAdder();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread acceptor;

  private LinkEmulator(
      ServerSocket server, int targetPort, Duration oneWayLatency, long bytesPerSecond) {
    this.server = server;
    this.targetPort = targetPort;
    this.latencyNanos = oneWayLatency.toNanos();
    long bandwidthDelay =
        bytesPerSecond <= 0 ? MAX_QUEUE_BYTES : (long) (bytesPerSecond * (latencyNanos / 1e9) * 2);
    this.queueBytes = Math.min(Math.max(bandwidthDelay, MIN_QUEUE_BYTES), MAX_QUEUE_BYTES);
    long burst = Math.max(MIN_BURST_BYTES, bytesPerSecond / 500);
    this.upBucket = new TokenBucket(bytesPerSecond, burst);
    this.downBucket = new TokenBucket(bytesPerSecond, burst);
    // About 1 ms of the link per piece: 16 KiB pieces would mean thousands of parks per second.
    this.pieceBytes =
        bytesPerSecond <= 0
            ? CHUNK_BYTES
            : (int) Math.min(Math.max(bytesPerSecond / 1000, MIN_PIECE_BYTES), CHUNK_BYTES);
    this.acceptor = Thread.ofVirtual().name("link-accept-" + port()).start(this::acceptLoop);
  }

  /**
   * Starts a relay that listens on 127.0.0.1 (a free port) and relays each accepted connection to
   * 127.0.0.1:{@code targetPort}.
   *
   * @param targetPort the port of the emulated distant server
   * @param oneWayLatency the delay of every byte in each direction; zero for none
   * @param bytesPerSecond the bandwidth of each direction over all connections; {@code <= 0} for no
   *     cap
   * @return the running relay; close it to stop
   * @throws IOException if the listening socket cannot be opened
   */
  public static LinkEmulator start(int targetPort, Duration oneWayLatency, long bytesPerSecond)
      throws IOException {
    if (oneWayLatency.isNegative()) {
      throw new IllegalArgumentException("oneWayLatency must not be negative: " + oneWayLatency);
    }
    ServerSocket server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
    return new LinkEmulator(server, targetPort, oneWayLatency, bytesPerSecond);
  }

  /** Returns the port the relay listens on. */
  public int port() {
    return server.getLocalPort();
  }

  /** Returns the bytes relayed from the target to clients so far, over all connections. */
  public long bytesDown() {
    return bytesDown.sum();
  }

  /** Returns the number of connections accepted so far. */
  public long connections() {
    return connections.sum();
  }

  /** Stops accepting, closes all relayed connections and waits for the relay threads to end. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closeQuietly(server);
    join(acceptor);
    List<Relay> open = new ArrayList<>(relays);
    open.forEach(Relay::abort);
    open.forEach(Relay::join);
  }

  private void acceptLoop() {
    while (!closed.get()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        if (closed.get()) {
          return;
        }
        throw new UncheckedIOException("link emulator on port " + port() + " failed", e);
      }
      connections.increment();
      Socket target = new Socket();
      try {
        client.setTcpNoDelay(true);
        target.setTcpNoDelay(true);
        target.connect(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort),
            CONNECT_TIMEOUT_MILLIS);
      } catch (IOException e) {
        closeQuietly(client);
        closeQuietly(target);
        continue;
      }
      Relay relay = new Relay(client, target);
      relays.add(relay);
      if (closed.get()) {
        relay.abort();
      }
      relay.start();
    }
  }

  /** One relayed connection: two sockets, two directions, four threads. */
  private final class Relay {
    private final Socket client;
    private final Socket target;
    private final Direction up;
    private final Direction down;
    private final AtomicInteger runningThreads = new AtomicInteger(4);
    private final AtomicInteger openDirections = new AtomicInteger(2);
    private final List<Thread> threads = new ArrayList<>(4);

    Relay(Socket client, Socket target) {
      this.client = client;
      this.target = target;
      // TCP's handshake costs a round trip before the client's first byte can leave: what the
      // client sends in that time goes out when it ends.
      long handshakeDone = System.nanoTime() + 2 * latencyNanos;
      this.up = new Direction(client, target, upBucket, null, handshakeDone);
      this.down = new Direction(target, client, downBucket, bytesDown, 0);
    }

    void start() {
      synchronized (threads) {
        for (Direction direction : List.of(up, down)) {
          threads.add(Thread.ofVirtual().start(() -> run(direction::read)));
          threads.add(Thread.ofVirtual().start(() -> run(direction::write)));
        }
      }
    }

    private void run(IoTask task) {
      try {
        task.run();
      } catch (IOException | InterruptedException | RuntimeException e) {
        abort();
      } finally {
        if (runningThreads.decrementAndGet() == 0) {
          relays.remove(this);
        }
      }
    }

    void abort() {
      up.queue.abort();
      down.queue.abort();
      closeQuietly(client);
      closeQuietly(target);
    }

    void join() {
      List<Thread> started;
      synchronized (threads) {
        started = List.copyOf(threads);
      }
      started.forEach(LinkEmulator::join);
    }

    /** One direction of a relay: read from {@code from}, delay, throttle, write to {@code to}. */
    private final class Direction {
      private final Socket from;
      private final Socket to;
      private final TokenBucket bucket;
      private final @Nullable LongAdder counter;
      private final LinkQueue queue = new LinkQueue(queueBytes);
      private final long notBeforeNanos;

      Direction(
          Socket from,
          Socket to,
          TokenBucket bucket,
          @Nullable LongAdder counter,
          long notBeforeNanos) {
        this.from = from;
        this.to = to;
        this.bucket = bucket;
        this.counter = counter;
        this.notBeforeNanos = notBeforeNanos;
      }

      void read() throws IOException, InterruptedException {
        InputStream in = from.getInputStream();
        byte[] buffer = new byte[CHUNK_BYTES];
        int n;
        while ((n = in.read(buffer)) >= 0) {
          long stamp = Math.max(System.nanoTime(), notBeforeNanos);
          if (n > 0 && !queue.put(Arrays.copyOf(buffer, n), stamp)) {
            return;
          }
        }
        queue.finish();
      }

      void write() throws IOException, InterruptedException {
        OutputStream out = to.getOutputStream();
        LinkQueue.Chunk chunk;
        while ((chunk = queue.take()) != null) {
          parkUntil(chunk.stampNanos + latencyNanos);
          byte[] data = chunk.data;
          for (int off = 0; off < data.length; off += pieceBytes) {
            int len = Math.min(pieceBytes, data.length - off);
            bucket.acquire(len);
            out.write(data, off, len);
            if (counter != null) {
              counter.add(len);
            }
          }
        }
        if (queue.aborted()) {
          return;
        }
        to.shutdownOutput();
        if (openDirections.decrementAndGet() == 0) {
          closeQuietly(client);
          closeQuietly(target);
        }
      }
    }
  }

  /** A blocking step of a relay thread. */
  @FunctionalInterface
  private interface IoTask {
    void run() throws IOException, InterruptedException;
  }

  /** Parks the current thread until {@link System#nanoTime()} reaches {@code deadline}. */
  static void parkUntil(long deadline) {
    long remaining;
    while ((remaining = deadline - System.nanoTime()) > 0) {
      LockSupport.parkNanos(remaining);
    }
  }

  private static void join(Thread thread) {
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException | RuntimeException e) {
      // Closing is best effort; the other side sees the connection end either way.
    }
  }
}
