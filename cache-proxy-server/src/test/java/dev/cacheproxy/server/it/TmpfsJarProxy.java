/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import dev.cacheproxy.server.it.JarIT.JarProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The packaged jar on 127.0.0.1 with a small disk of its own: it runs in a mount namespace of its
 * own ({@code unshare --mount}) with a tmpfs of a fixed size over its data directory, so that
 * filling the disk fills only that tmpfs, and the tmpfs goes away with the process, even when it is
 * killed.
 *
 * <p>The tmpfs is visible only inside the namespace: on the machine, the data directory stays an
 * empty folder. {@link #dataDir()} reads it through {@code /proc/<pid>/root}, which resolves paths
 * in the process's namespace. Needs root (see {@link RequiredTools#root()}).
 *
 * <p>Not thread-safe: one test thread starts and stops it.
 */
final class TmpfsJarProxy implements AutoCloseable {

  /**
   * Mounts a tmpfs of {@code $1} bytes over the folder {@code $2}, then becomes the rest; exits 125
   * when the mount fails, so that the server never runs on the machine's disk.
   */
  private static final String SCRIPT =
      "mount -n -t tmpfs -o size=$1,mode=0755 cache-proxy-it \"$2\" || exit 125;"
          + " shift 2; exec \"$@\"";

  private final JarProcess jar;
  private final Path dataDir;
  private final int port;

  private TmpfsJarProxy(JarProcess jar, Path dataDir, int port) {
    this.jar = jar;
    this.dataDir = dataDir;
    this.port = port;
  }

  /**
   * Writes {@code yaml} to {@code dir/config/proxy.yml} and starts the jar in {@code dir} with
   * {@code --data-dir dir/data} on a tmpfs of {@code tmpfsBytes}, on a free port; waits until it
   * answers {@code GET /v2/} (an exit with code 125 means the tmpfs could not be mounted).
   */
  static TmpfsJarProxy start(Path dir, String yaml, long tmpfsBytes) throws Exception {
    RequiredTools.root();
    // The config file gets a folder of its own, so that its watcher sees nothing else change.
    Path config =
        Files.writeString(
            Files.createDirectories(dir.resolve("config")).resolve("proxy.yml"),
            yaml,
            StandardCharsets.UTF_8);
    Path dataDir = Files.createDirectories(dir.resolve("data")).toAbsolutePath();
    int port = FreePorts.find();
    List<String> wrapper =
        List.of(
            RequiredTools.unshare().toString(),
            "--mount",
            "--propagation",
            "private",
            "/bin/sh",
            "-c",
            SCRIPT,
            "tmpfs-data-dir",
            Long.toString(tmpfsBytes),
            dataDir.toString());
    JarProcess jar =
        JarProcess.start(
            dir,
            wrapper,
            "--config",
            config.toString(),
            "--port",
            Integer.toString(port),
            "--data-dir",
            dataDir.toString(),
            "--bind-address",
            "127.0.0.1");
    TmpfsJarProxy proxy = new TmpfsJarProxy(jar, dataDir, port);
    try {
      jar.awaitV2(port);
    } catch (Throwable e) {
      proxy.close();
      throw e;
    }
    return proxy;
  }

  /** The data directory as the server sees it, the tmpfs, read through {@code /proc/<pid>/root}. */
  Path dataDir() {
    return Path.of("/proc", Long.toString(jar.pid()), "root")
        .resolve(Path.of("/").relativize(dataDir));
  }

  /** A skopeo reference to {@code name:tag} on the proxy, {@code name} including the alias. */
  String ref(String name, String tag) {
    return "docker://127.0.0.1:" + port + "/" + name + ":" + tag;
  }

  /** Whether the server is running. */
  boolean isAlive() {
    return jar.isAlive();
  }

  /** Everything the server printed so far. */
  String output() throws IOException {
    return jar.output();
  }

  /** The end of the server's output, for failure messages. */
  String logTail() {
    return jar.logTail();
  }

  /** Stops the server (SIGTERM, then SIGKILL); its tmpfs goes with it. Idempotent. */
  @Override
  public void close() {
    jar.close();
  }
}
