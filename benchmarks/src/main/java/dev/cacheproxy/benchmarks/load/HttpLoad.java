/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks.load;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The load generator of the load runner: raw HTTP/1.1 GETs over blocking keep-alive sockets to
 * 127.0.0.1, lean enough to read several GB/s on two CPUs (bodies go through one reused 256 KiB
 * buffer per connection; see {@link RawHttpConnection}). Redirects to a local port are followed (up
 * to three); a non-2xx final status is an error.
 *
 * <p>Concurrency: each load client is a platform thread with its own {@link RawHttpClient}, so its
 * counters are plain fields, read by the calling thread after {@link Thread#join()}. The calling
 * thread releases the clients together, waits for the deadline, then closes every client's sockets
 * to cut off requests still in flight.
 */
public final class HttpLoad {
  private static final long ERROR_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private HttpLoad() {}

  /**
   * The result of {@link #throughput}: body bytes read before the deadline, requests completed with
   * a 2xx status, failed requests (non-2xx status or I/O error), and the measured seconds.
   */
  public record Throughput(long bytes, long requests, long errors, double seconds) {
    /** Returns the body bytes per second, in MB (10^6 bytes). */
    public double megabytesPerSecond() {
      return bytes / 1e6 / seconds;
    }
  }

  /**
   * The result of {@link #firstByte}: milliseconds from just before connecting to the first body
   * byte and to the last, the body size, and the body's SHA-256 in lower-case hex.
   */
  public record FirstByte(
      double firstByteMillis, double totalMillis, long bytes, String sha256Hex) {}

  /**
   * The result of {@link #rate}: requests completed with a 2xx status and failed requests within
   * the measured window, its seconds, and the median and 99th percentile latency of the 2xx
   * requests in milliseconds ({@code NaN} when there were none).
   */
  public record Rate(
      long requests, long errors, double seconds, double p50Millis, double p99Millis) {
    /** Returns the completed requests per second. */
    public double perSecond() {
      return requests / seconds;
    }
  }

  /**
   * The result of {@link #pullImage}: wall seconds from the start signal until the last client
   * finished, the number of clients, the blob bytes read by all clients, the blobs of the image
   * (config and layers), and one message per failed client ({@code "client N: ..."}).
   */
  public record Pull(double seconds, int clients, long bytes, int blobs, List<String> failures) {
    /** Copies the failures. */
    public Pull {
      failures = List.copyOf(failures);
    }
  }

  /**
   * Measures bulk throughput: {@code clients} threads, each on its own keep-alive connection, GET
   * {@code path} over and over for {@code duration}, reading every body to the end and discarding
   * it. Bytes count as they are read; at the deadline each client stops reading and its connection
   * is closed, so a request in flight then counts its bytes read so far but not as a request.
   *
   * @throws InterruptedIOException if the calling thread is interrupted
   */
  public static Throughput throughput(int port, String path, int clients, Duration duration)
      throws IOException {
    List<ThroughputClient> workers = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      workers.add(new ThroughputClient(port, path));
    }
    LoadClient.runAll(workers, Duration.ZERO, duration);
    long bytes = 0;
    long requests = 0;
    long errors = 0;
    for (ThroughputClient worker : workers) {
      bytes += worker.bytes;
      requests += worker.requests;
      errors += worker.errors;
    }
    return new Throughput(bytes, requests, errors, duration.toNanos() / 1e9);
  }

  /**
   * Times one GET of {@code path} on a new connection: the first-byte time runs from just before
   * connecting to the first body byte (after the headers); the whole body is read and hashed with
   * SHA-256. Redirects are followed.
   *
   * @throws IOException on a non-2xx final status (naming the status and path) or an I/O error
   */
  public static FirstByte firstByte(int port, String path) throws IOException {
    MessageDigest sha256 = sha256();
    long[] firstByteAt = {0};
    long[] bytes = {0};
    long start = System.nanoTime();
    int status;
    try (RawHttpClient client = new RawHttpClient(port)) {
      status =
          client.get(
              path,
              Map.of(),
              (buffer, offset, length) -> {
                if (firstByteAt[0] == 0) {
                  firstByteAt[0] = System.nanoTime();
                }
                sha256.update(buffer, offset, length);
                bytes[0] += length;
                return true;
              });
    }
    long end = System.nanoTime();
    if (status < 200 || status >= 300) {
      throw new IOException("GET " + path + " on port " + port + " returned status " + status);
    }
    long first = firstByteAt[0] == 0 ? end : firstByteAt[0];
    return new FirstByte(
        (first - start) / 1e6,
        (end - start) / 1e6,
        bytes[0],
        HexFormat.of().formatHex(sha256.digest()));
  }

  /**
   * Measures the request rate: {@code connections} threads, each on its own keep-alive connection,
   * send GET {@code path} with {@code headers} back to back; requests of the first {@code warmup}
   * are not counted, then each request that starts and ends within the next {@code duration}
   * counts, with its latency for the percentiles (nearest rank).
   *
   * @throws InterruptedIOException if the calling thread is interrupted
   */
  public static Rate rate(
      int port,
      String path,
      Map<String, String> headers,
      int connections,
      Duration warmup,
      Duration duration)
      throws IOException {
    Map<String, String> requestHeaders = Map.copyOf(headers);
    List<RateClient> workers = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      workers.add(new RateClient(port, path, requestHeaders));
    }
    LoadClient.runAll(workers, warmup, duration);
    long requests = 0;
    long errors = 0;
    int latencyCount = 0;
    for (RateClient worker : workers) {
      requests += worker.requests;
      errors += worker.errors;
      latencyCount += worker.latencyCount;
    }
    long[] latencies = new long[latencyCount];
    int filled = 0;
    for (RateClient worker : workers) {
      System.arraycopy(worker.latencies, 0, latencies, filled, worker.latencyCount);
      filled += worker.latencyCount;
    }
    Arrays.sort(latencies);
    return new Rate(
        requests,
        errors,
        duration.toNanos() / 1e9,
        percentileMillis(latencies, 0.50),
        percentileMillis(latencies, 0.99));
  }

  /**
   * Pulls an image with {@code clients} clients at once, each on its own connection: the manifest
   * of {@code repository:tag}, then the config and every layer in order, each checked against its
   * SHA-256 digest and size. A failure stops that client and is reported in {@link Pull#failures}.
   *
   * @throws InterruptedException if the calling thread is interrupted while the clients run
   */
  public static Pull pullImage(int port, String repository, String tag, int clients)
      throws IOException, InterruptedException {
    return ImagePull.run(port, repository, tag, clients);
  }

  /** Returns a new SHA-256 digest; every JDK has one. */
  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }

  static double percentileMillis(long[] sortedNanos, double quantile) {
    if (sortedNanos.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(quantile * sortedNanos.length);
    return sortedNanos[Math.max(rank, 1) - 1] / 1e6;
  }

  /** A throughput client: counts 2xx body bytes until the deadline. */
  private static final class ThroughputClient extends LoadClient
      implements RawHttpConnection.BodySink {
    private final String path;
    long bytes;
    long requests;
    long errors;

    ThroughputClient(int port, String path) {
      super(port);
      this.path = path;
    }

    @Override
    public boolean accept(byte[] buffer, int offset, int length) {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      bytes += length;
      return true;
    }

    @Override
    void work() {
      while (!stopping()) {
        try {
          int status = client.get(path, Map.of(), this);
          if (status < 0) {
            return;
          } else if (status >= 200 && status < 300) {
            requests++;
          } else {
            errors++;
          }
        } catch (IOException e) {
          if (stopping()) {
            return;
          }
          errors++;
          LinkEmulator.parkUntil(Math.min(System.nanoTime() + ERROR_PAUSE_NANOS, deadline));
        }
      }
    }
  }

  /** A rate client: times each request within the measured window. */
  private static final class RateClient extends LoadClient {
    private final String path;
    private final Map<String, String> headers;
    long requests;
    long errors;
    long[] latencies = new long[1024];
    int latencyCount;

    RateClient(int port, String path, Map<String, String> headers) {
      super(port);
      this.path = path;
      this.headers = headers;
    }

    @Override
    void work() {
      RawHttpConnection.BodySink discard = (buffer, offset, length) -> true;
      while (!stopping()) {
        long begin = System.nanoTime();
        boolean measured = begin - measureStart >= 0;
        try {
          int status = client.get(path, headers, discard);
          long end = System.nanoTime();
          boolean counted = measured && end - deadline <= 0;
          if (counted && status >= 200 && status < 300) {
            requests++;
            if (latencyCount == latencies.length) {
              latencies = Arrays.copyOf(latencies, latencyCount * 2);
            }
            latencies[latencyCount++] = end - begin;
          } else if (counted) {
            errors++;
          }
        } catch (IOException e) {
          if (stopping()) {
            return;
          }
          if (measured) {
            errors++;
          }
          LinkEmulator.parkUntil(Math.min(System.nanoTime() + ERROR_PAUSE_NANOS, deadline));
        }
      }
    }
  }
}
