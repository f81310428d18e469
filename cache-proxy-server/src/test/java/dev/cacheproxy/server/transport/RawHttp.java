/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 {@code GET} over a plain socket bound to a chosen local address (the whole of
 * 127.0.0.0/8 is local on Linux), which {@code java.net.http.HttpClient} cannot do: how the tests
 * connect from 127.0.0.2 to an allow list.
 */
public final class RawHttp {

  private RawHttp() {}

  /**
   * A response: status code and body.
   *
   * @param status the status code
   * @param body the body as text
   */
  public record Response(int status, String body) {}

  /**
   * Sends {@code GET path} to {@code 127.0.0.1:port} from {@code source} with {@code Connection:
   * close} and reads the whole response.
   */
  public static Response get(String source, int port, String path) throws IOException {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
      socket.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 10_000);
      socket.setSoTimeout(30_000);
      socket
          .getOutputStream()
          .write(
              ("GET "
                      + path
                      + " HTTP/1.1\r\nHost: 127.0.0.1:"
                      + port
                      + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      String text = new String(readAll(socket.getInputStream()), StandardCharsets.UTF_8);
      int headersEnd = text.indexOf("\r\n\r\n");
      if (!text.startsWith("HTTP/1.1 ") || headersEnd < 0) {
        throw new IOException("not an HTTP response: " + text);
      }
      int status = Integer.parseInt(text.substring(9, 12));
      return new Response(status, text.substring(headersEnd + 4));
    }
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    int n;
    while ((n = in.read(buffer)) >= 0) {
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }
}
