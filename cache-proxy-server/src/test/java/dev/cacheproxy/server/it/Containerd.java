/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import dev.cacheproxy.core.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A private containerd 1.6 as root, driven with {@code ctr}, for pulls through registry mirrors
 * configured in {@code hosts.toml} files.
 *
 * <p>Everything it keeps is under one short folder in {@code /tmp}: its generated {@code
 * config.toml} sets {@code root}, {@code state}, {@code plugin_dir}, the opt plugin's path (else
 * {@code /opt/containerd}) and the gRPC and ttrpc sockets; the debug and metrics listeners are off,
 * and so are the CRI plugin and the snapshotters it does not need ({@code native} is the one pulls
 * unpack into). It runs in {@link PrivateMounts} with {@code /run} hidden and writes its output to
 * {@code containerd.log}.
 *
 * <p>{@code ctr images pull} fetches in the ctr process itself, so ctr runs with {@code
 * HTTPS_PROXY}/{@code HTTP_PROXY} at a closed loopback port ({@code NO_PROXY=127.0.0.1,localhost}):
 * nothing it is not told about can leave the machine. {@link #closedUrl()} names that port for the
 * {@code server} of the {@code hosts.toml} files given to {@link #writeHostsToml}, so their
 * fallback fails at once too.
 *
 * <p>Not thread-safe: one test thread starts, drives and closes it.
 */
final class Containerd implements ImageClient, AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration CTR_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration POLL = Duration.ofMillis(50);

  private final ShortTempDir dir;
  private final Path socket;
  private final Path log;
  private final int closedPort;
  private final CommandRunner ctr;
  private final Path hostsDir;
  private @Nullable Process process;

  private Containerd(ShortTempDir dir, int closedPort) throws IOException {
    this.dir = dir;
    this.socket = dir.resolve("containerd.sock");
    this.log = dir.resolve("containerd.log");
    this.closedPort = closedPort;
    this.hostsDir = dir.resolve("certs.d");
    this.ctr =
        new CommandRunner(
            "ctr", dir.resolve("ctr"), CommandRunner.offlineEnvironment(closedPort), this::logTail);
  }

  /** Starts a containerd in a new folder under {@code /tmp} and waits until ctr reaches it. */
  static Containerd start() throws IOException {
    RequiredTools.containerd();
    RequiredTools.ctr();
    ShortTempDir dir = ShortTempDir.create("ctd");
    Containerd containerd = new Containerd(dir, FreePorts.find());
    try {
      containerd.startProcess();
      return containerd;
    } catch (IOException | RuntimeException | Error e) {
      containerd.close();
      throw e;
    }
  }

  private void startProcess() throws IOException {
    Path config =
        Files.writeString(
            dir.resolve("config.toml"),
            """
            version = 2
            root = "%1$s/root"
            state = "%1$s/state"
            plugin_dir = "%1$s/plugins"
            disabled_plugins = [
              "io.containerd.grpc.v1.cri",
              "io.containerd.snapshotter.v1.aufs",
              "io.containerd.snapshotter.v1.btrfs",
              "io.containerd.snapshotter.v1.devmapper",
              "io.containerd.snapshotter.v1.overlayfs",
              "io.containerd.snapshotter.v1.zfs",
            ]

            [grpc]
              address = "%2$s"

            [ttrpc]
              address = "%2$s.ttrpc"

            [debug]
              address = ""

            [metrics]
              address = ""

            [plugins."io.containerd.internal.v1.opt"]
              path = "%1$s/opt"
            """
                .formatted(dir.path(), socket),
            StandardCharsets.UTF_8);
    Process started =
        new ProcessBuilder(
                PrivateMounts.wrap(
                    List.of(Path.of("/run")),
                    List.of(RequiredTools.containerd().toString(), "--config", config.toString())))
            .directory(dir.path().toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    process = started;
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      if (Files.exists(socket)
          && runCtr(List.of("version"), Duration.ofSeconds(5)).exitCode() == 0) {
        return;
      }
      if (!started.isAlive()) {
        throw new AssertionError(
            "containerd exited with code " + started.exitValue() + " on start: " + logTail());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "containerd did not answer on "
                + socket
                + " within "
                + START_TIMEOUT
                + ": "
                + logTail());
      }
      CommandRunner.pause(started, POLL);
    }
  }

  /** The gRPC socket, for {@code ctr --address} or {@code dockerd --containerd}. */
  Path socket() {
    return socket;
  }

  /**
   * {@code http://127.0.0.1:<port>} of a closed port, the one ctr's {@code HTTPS_PROXY} names too:
   * a registry URL for {@code hosts.toml}'s {@code server} (containerd's fallback when the mirror
   * fails) that fails at once instead of leaving the machine.
   */
  URI closedUrl() {
    return URI.create("http://127.0.0.1:" + closedPort);
  }

  /**
   * Writes {@code toml} as {@code <hosts dir>/<registry>/hosts.toml}, the file {@link #pull} reads
   * for images of {@code registry} ({@code host[:port]}), as containerd's CRI plugin would read
   * {@code /etc/containerd/certs.d/<registry>/hosts.toml}.
   */
  void writeHostsToml(String registry, String toml) {
    Path file = hostsDir.resolve(registry).resolve("hosts.toml");
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, toml, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /**
   * {@code ctr images pull --hosts-dir <hosts dir> ref}, unpacking into the native snapshotter,
   * whatever its outcome.
   */
  @Override
  public CommandRunner.Result pull(String ref) {
    return runCtr(
        List.of(
            "images", "pull", "--hosts-dir", hostsDir.toString(), "--snapshotter", "native", ref),
        CTR_TIMEOUT);
  }

  /** The manifest (or index) digest {@code ref} points at, per {@code ctr images ls}. */
  Optional<Digest> imageDigest(String ref) {
    // REF TYPE DIGEST SIZE PLATFORMS LABELS, whitespace-separated; ref names have no spaces.
    return runCtr(List.of("images", "ls"), CTR_TIMEOUT)
        .requireSuccess()
        .stdout()
        .lines()
        .skip(1)
        .map(line -> line.trim().split("\\s+"))
        .filter(fields -> fields.length >= 3 && fields[0].equals(ref))
        .map(fields -> Digest.parse(fields[2]))
        .findFirst();
  }

  /** The digests of every blob in the content store, per {@code ctr content ls -q}. */
  List<Digest> contentDigests() {
    return runCtr(List.of("content", "ls", "-q"), CTR_TIMEOUT)
        .requireSuccess()
        .stdout()
        .lines()
        .map(String::strip)
        .filter(line -> !line.isEmpty())
        .map(Digest::parse)
        .sorted()
        .toList();
  }

  /**
   * {@code ctr images rm --sync ref}: removes the image and waits for the garbage collection that
   * deletes its content and snapshots.
   */
  @Override
  public CommandRunner.Result removeImage(String ref) {
    return runCtr(List.of("images", "rm", "--sync", ref), CTR_TIMEOUT);
  }

  /**
   * Whether ctr lists {@code ref}, or the content store holds anything at all: after {@code ctr
   * images rm --sync} of the only image, nothing of it may be left.
   */
  @Override
  public boolean hasImage(String ref) {
    return imageDigest(ref).isPresent() || !contentDigests().isEmpty();
  }

  /** Stops containerd (SIGTERM, then SIGKILL) and deletes its folder. Idempotent. */
  @Override
  public void close() {
    Process running = process;
    process = null;
    try {
      if (running != null) {
        CommandRunner.stop(running, "containerd", STOP_TIMEOUT);
      }
    } finally {
      dir.close();
    }
  }

  /** The end of containerd's log, for failure messages. */
  String logTail() {
    return "\n--- " + log + " (tail) ---\n" + LogTail.of(log);
  }

  private CommandRunner.Result runCtr(List<String> args, Duration timeout) {
    return ctr.run(
        CommandRunner.concat(
            List.of(RequiredTools.ctr().toString(), "--address", socket.toString()), args),
        timeout);
  }
}
