/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TCP proxy on 127.0.0.1 in front of a port of 127.0.0.1 (the real registry) that injects faults
 * into HTTP/1.1 responses: with seeded probabilities, it resets the connection (both sockets closed
 * with {@code SO_LINGER 0}, so the peer reads {@code ECONNRESET}) at a random offset of a response,
 * stalls once at a random offset, or throttles the response to a number of bytes per second.
 *
 * <p>Faults are drawn per response, not per connection: a client keeps its connections alive and
 * sends many requests over each, so a draw per connection would leave most exchanges untouched. A
 * response starts after a request from the client (a read beginning with a method); its length is
 * its header plus its {@code Content-Length} (none for {@code HEAD}), so an offset drawn uniformly
 * below that lands inside the response. Responses shorter than {@link Faults#minResponseBytes()}
 * (manifests, configs, errors) or without a {@code Content-Length} pass untouched. When the
 * upstream port refuses the relay, the client's connection is closed at once.
 *
 * <p>It counts the bytes forwarded each way, so a test can compare what the cache fetched upstream
 * with what the images hold.
 *
 * <p>Concurrency: one platform thread accepts; each connection gets one virtual thread per
 * direction. Plans are drawn from the seeded {@link Random} under its lock, in the order responses
 * start, so the same seed gives the same sequence of faults (which response gets which depends on
 * how concurrent requests interleave). HTTP/1.1 without pipelining means a request is forwarded
 * only after the previous response on its connection was, so the request side can hand the response
 * side a flag ({@code requestStarted}) without losing or mixing up responses. Stalls and throttling
 * wait on {@link #closed}, a latch counted down by {@link #close()}, so closing ends every wait at
 * once. Counters are atomics; {@link #faults(Faults)} swaps a volatile field.
 */
final class FaultyTcpProxy implements AutoCloseable {

  private static final int BUFFER = 64 * 1024;
  private static final Pattern METHOD = Pattern.compile("^[A-Z]+ ");
  private static final Pattern CONTENT_LENGTH =
      Pattern.compile("\r\ncontent-length:\\s*(\\d+)\r\n");

  /**
   * What goes wrong, drawn per response of at least {@code minResponseBytes} of body.
   *
   * @param resetProbability the chance that the connection is reset at a random offset of the
   *     response
   * @param stallProbability the chance that the response stalls once, at a random offset, for
   *     {@code stall}
   * @param stall how long a stall lasts
   * @param throttleProbability the chance that the response is throttled
   * @param bytesPerSecond the rate of a throttled response
   * @param minResponseBytes the smallest {@code Content-Length} that faults apply to
   */
  record Faults(
      double resetProbability,
      double stallProbability,
      Duration stall,
      double throttleProbability,
      long bytesPerSecond,
      long minResponseBytes) {

    /** Checks the probabilities and sizes. */
    Faults {
      for (double p : new double[] {resetProbability, stallProbability, throttleProbability}) {
        if (p < 0 || p > 1) {
          throw new IllegalArgumentException("a probability must be from 0 to 1, not " + p);
        }
      }
      if (stall.isNegative() || bytesPerSecond < 1 || minResponseBytes < 0) {
        throw new IllegalArgumentException("invalid faults " + stall + " " + bytesPerSecond);
      }
    }

    /** No faults: a plain TCP relay. */
    static Faults none() {
      return new Faults(0, 0, Duration.ZERO, 0, 1, Long.MAX_VALUE);
    }
  }

  /** The faults of one response; offsets count from its first byte, -1 for none. */
  private record Plan(long resetAt, long stallAt, Duration stall, long bytesPerSecond) {
    static final Plan NONE = new Plan(-1, -1, Duration.ZERO, -1);
  }

  private final ServerSocket server;
  private final int targetPort;
  private final Random random;
  private final Thread acceptor;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final AtomicLong bytesToClient = new AtomicLong();
  private final AtomicLong bytesToUpstream = new AtomicLong();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger responses = new AtomicInteger();
  private final AtomicInteger planned = new AtomicInteger();
  private final AtomicInteger resets = new AtomicInteger();
  private final AtomicInteger stalls = new AtomicInteger();
  private final AtomicInteger throttled = new AtomicInteger();
  private final AtomicInteger upstreamRefused = new AtomicInteger();
  private volatile Faults faults;

  private FaultyTcpProxy(ServerSocket server, int targetPort, long seed, Faults faults) {
    this.server = server;
    this.targetPort = targetPort;
    this.random = new Random(seed);
    this.faults = faults;
    this.acceptor = Thread.ofPlatform().daemon().name("faulty-tcp-accept").unstarted(this::accept);
  }

  /** Starts a proxy on a free port of 127.0.0.1 that forwards to {@code targetPort}. */
  static FaultyTcpProxy start(int targetPort, long seed, Faults faults) throws IOException {
    ServerSocket server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    FaultyTcpProxy proxy = new FaultyTcpProxy(server, targetPort, seed, faults);
    proxy.acceptor.start();
    return proxy;
  }

  /** {@code 127.0.0.1:<port>}, as in image references and upstream URLs. */
  String hostPort() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  /** Changes the faults of responses that start from now on. */
  void faults(Faults faults) {
    this.faults = faults;
  }

  /** The bytes forwarded from the upstream to clients: what the clients fetched. */
  long bytesToClient() {
    return bytesToClient.get();
  }

  /** The connections accepted. */
  int connections() {
    return connections.get();
  }

  /** The connections reset before they ended on their own. */
  int resets() {
    return resets.get();
  }

  /** The stalls that happened. */
  int stalls() {
    return stalls.get();
  }

  /** The responses that were throttled. */
  int throttled() {
    return throttled.get();
  }

  /** The connections closed at once because the upstream port refused the relay. */
  int upstreamRefused() {
    return upstreamRefused.get();
  }

  /** A one-line summary of the counters, for reports and failure messages. */
  String stats() {
    return ("%d connections, %d responses, %d eligible for faults, %d reset, %d stalled,"
            + " %d throttled, %d refused upstream, %d bytes to clients, %d bytes to upstream")
        .formatted(
            connections.get(),
            responses.get(),
            planned.get(),
            resets(),
            stalls(),
            throttled(),
            upstreamRefused(),
            bytesToClient(),
            bytesToUpstream.get());
  }

  /** Stops accepting, closes every connection and ends every stall. Idempotent. */
  @Override
  public void close() throws IOException {
    closed.countDown();
    server.close();
    for (Socket socket : sockets) {
      closeQuietly(socket);
    }
  }

  private void accept() {
    while (!server.isClosed()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      connections.incrementAndGet();
      Thread.ofVirtual().name("faulty-tcp-connect").start(() -> relay(client));
    }
  }

  private void relay(Socket client) {
    sockets.add(client);
    Socket upstream = new Socket();
    sockets.add(upstream);
    try {
      upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5000);
    } catch (IOException e) {
      upstreamRefused.incrementAndGet();
      closeBoth(client, upstream);
      return;
    }
    if (server.isClosed()) {
      closeBoth(client, upstream);
      return;
    }
    // The method of the request whose response comes next, or null while none is pending.
    AtomicReference<String> requestStarted = new AtomicReference<>();
    AtomicInteger open = new AtomicInteger(2);
    Thread.ofVirtual()
        .name("faulty-tcp-request")
        .start(() -> {
          forwardRequests(client, upstream, requestStarted);
          if (open.decrementAndGet() == 0) {
            closeBoth(client, upstream);
          }
        });
    Thread.ofVirtual()
        .name("faulty-tcp-response")
        .start(() -> {
          forwardResponses(upstream, client, requestStarted);
          if (open.decrementAndGet() == 0) {
            closeBoth(client, upstream);
          }
        });
  }

  /** Copies requests to the upstream, flagging each one's start before forwarding it. */
  private void forwardRequests(Socket from, Socket to, AtomicReference<String> requestStarted) {
    byte[] buffer = new byte[BUFFER];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      for (int n; (n = in.read(buffer)) >= 0; ) {
        String start = new String(buffer, 0, Math.min(n, 16), StandardCharsets.ISO_8859_1);
        Matcher method = METHOD.matcher(start);
        if (method.find()) {
          requestStarted.set(method.group().strip());
        }
        out.write(buffer, 0, n);
        bytesToUpstream.addAndGet(n);
      }
      to.shutdownOutput();
    } catch (IOException e) {
      closeBoth(from, to);
    }
  }

  /** Copies responses to the client, applying each one's plan. */
  private void forwardResponses(Socket from, Socket to, AtomicReference<String> requestStarted) {
    byte[] buffer = new byte[BUFFER];
    Plan plan = Plan.NONE;
    long forwarded = 0; // bytes of the current response
    long start = System.nanoTime();
    boolean stalled = false;
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      for (int n; (n = in.read(buffer)) >= 0; ) {
        String method = requestStarted.getAndSet(null);
        if (method != null) {
          plan = plan(method, buffer, n);
          forwarded = 0;
          start = System.nanoTime();
          stalled = false;
        }
        int off = 0;
        while (off < n) {
          int len = n - off;
          if (plan.resetAt() >= 0) {
            len = (int) Math.min(len, plan.resetAt() - forwarded);
          }
          if (!stalled && plan.stallAt() >= 0) {
            len = (int) Math.min(len, plan.stallAt() - forwarded);
          }
          out.write(buffer, off, len);
          off += len;
          forwarded += len;
          bytesToClient.addAndGet(len);
          if (forwarded == plan.resetAt()) {
            resets.incrementAndGet();
            reset(from, to);
            return;
          }
          if (!stalled && forwarded == plan.stallAt()) {
            stalled = true;
            stalls.incrementAndGet();
            out.flush();
            if (closed.await(plan.stall().toNanos(), TimeUnit.NANOSECONDS)) {
              return;
            }
            start += plan.stall().toNanos(); // the throttle does not make up for the stall
          }
          if (plan.bytesPerSecond() > 0) {
            long wait =
                start + forwarded * 1_000_000_000L / plan.bytesPerSecond() - System.nanoTime();
            if (wait > 0 && closed.await(wait, TimeUnit.NANOSECONDS)) {
              return;
            }
          }
        }
      }
      to.shutdownOutput();
    } catch (IOException e) {
      closeBoth(from, to);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeBoth(from, to);
    }
  }

  /** Draws the plan of a response whose first {@code n} bytes are in {@code head}. */
  private Plan plan(String method, byte[] head, int n) {
    responses.incrementAndGet();
    String text = new String(head, 0, n, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      return Plan.NONE; // a header split over reads: leave this response alone
    }
    Matcher length = CONTENT_LENGTH.matcher(text.substring(0, end + 2).toLowerCase(Locale.ROOT));
    if (!length.find() || method.equals("HEAD")) {
      return Plan.NONE;
    }
    long body = Long.parseLong(length.group(1));
    Faults f = faults;
    if (body < f.minResponseBytes()) {
      return Plan.NONE;
    }
    planned.incrementAndGet();
    long total = end + 4 + body;
    synchronized (random) {
      long resetAt =
          random.nextDouble() < f.resetProbability() ? (long) (random.nextDouble() * total) : -1;
      long stallAt =
          random.nextDouble() < f.stallProbability() ? (long) (random.nextDouble() * total) : -1;
      boolean throttle = random.nextDouble() < f.throttleProbability();
      if (throttle) {
        throttled.incrementAndGet();
      }
      return new Plan(resetAt, stallAt, f.stall(), throttle ? f.bytesPerSecond() : -1);
    }
  }

  /** Closes both sockets with {@code SO_LINGER 0}: the peers read a reset, not an end of stream. */
  private void reset(Socket a, Socket b) {
    for (Socket socket : new Socket[] {a, b}) {
      try {
        socket.setSoLinger(true, 0);
      } catch (SocketException e) {
        // already closed
      }
    }
    closeBoth(a, b);
  }

  private void closeBoth(Socket a, Socket b) {
    closeQuietly(a);
    closeQuietly(b);
  }

  private void closeQuietly(Socket socket) {
    sockets.remove(socket);
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
