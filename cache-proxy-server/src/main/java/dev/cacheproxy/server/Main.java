/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server;

import dev.cacheproxy.server.cli.ServeCommand;
import java.io.PrintWriter;

/**
 * The entry point of {@code java -jar cache-proxy-server.jar [--config FILE] [--port N] [--data-dir
 * DIR] [--admin-port N]}. Exits with 0 after a clean stop, 1 on a run-time failure and 2 for a bad
 * configuration or command line.
 */
public final class Main {

  private Main() {}

  /** Runs the server until the JVM is asked to stop (SIGTERM, Ctrl-C). */
  public static void main(String[] args) {
    int code =
        ServeCommand.execute(
            args,
            new PrintWriter(System.out, true, System.out.charset()),
            new PrintWriter(System.err, true, System.err.charset()));
    if (code != 0) {
      System.exit(code);
    }
  }
}
