/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks.load;

import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One load client: a keep-alive {@link RawHttpConnection} per 127.0.0.1 port, GETs that follow up
 * to three redirects (307, 302, 301, 303, 308) to the same or another local port, and a reconnect
 * after {@code Connection: close} or a stale keep-alive connection.
 *
 * <p>Not thread-safe: one thread sends requests; {@link #close()} may come from another thread to
 * abort them, after which every request fails.
 */
final class RawHttpClient implements Closeable {
  private static final int MAX_REDIRECTS = 3;
  private static final RawHttpConnection.BodySink DISCARD = (buffer, offset, length) -> true;

  private final int port;
  private final Map<Integer, RawHttpConnection> connections = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** Creates a client of 127.0.0.1:{@code port}; it connects on the first request. */
  RawHttpClient(int port) {
    this.port = port;
  }

  /**
   * Sends GET {@code target}, follows redirects, and streams a 2xx body through {@code sink}; any
   * other final body is drained. Returns the final status, or -1 if the sink stopped reading.
   */
  int get(String target, Map<String, String> headers, RawHttpConnection.BodySink sink)
      throws IOException {
    int currentPort = port;
    String currentTarget = target;
    for (int redirects = 0; ; redirects++) {
      RawHttpConnection connection = connection(currentPort);
      RawHttpConnection.Head head;
      try {
        connection.writeRequest(currentTarget, headers);
        head = connection.readHead();
      } catch (IOException e) {
        connection.close();
        if (!connection.used() || closed) {
          throw e;
        }
        // The server may close an idle keep-alive connection at any time: retry once, afresh.
        connection = connection(currentPort);
        connection.writeRequest(currentTarget, headers);
        head = connection.readHead();
      }
      if (!connection.readBody(head, head.successful() ? sink : DISCARD)) {
        return -1;
      }
      String location = head.location();
      if (!isRedirect(head.status()) || location == null || redirects == MAX_REDIRECTS) {
        return head.status();
      }
      URI resolved = resolve(currentPort, currentTarget, location);
      currentPort = resolved.getPort() < 0 ? 80 : resolved.getPort();
      String query = resolved.getRawQuery();
      currentTarget = resolved.getRawPath() + (query == null ? "" : "?" + query);
    }
  }

  private static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  private RawHttpConnection connection(int targetPort) throws IOException {
    RawHttpConnection connection = connections.get(targetPort);
    if (connection != null && connection.reusable()) {
      return connection;
    }
    if (closed) {
      throw new IOException("client of port " + port + " closed");
    }
    connection = RawHttpConnection.open(targetPort);
    connections.put(targetPort, connection);
    if (closed) {
      connection.close();
      throw new IOException("client of port " + port + " closed");
    }
    return connection;
  }

  private static URI resolve(int currentPort, String currentTarget, String location)
      throws IOException {
    try {
      URI base = new URI("http://127.0.0.1:" + currentPort + currentTarget);
      URI resolved = base.resolve(location);
      String host = resolved.getHost();
      if (!"http".equals(resolved.getScheme())
          || host == null
          || !(host.equals("127.0.0.1") || host.equals("localhost"))) {
        throw new IOException("redirect to a non-local address: " + location);
      }
      return resolved;
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw new IOException("bad redirect location: " + location, e);
    }
  }

  /** Closes every connection and makes further requests fail; safe from any thread. */
  @Override
  public void close() {
    closed = true;
    connections.values().forEach(RawHttpConnection::close);
  }
}
