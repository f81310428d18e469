/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cacheproxy.core.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A private Docker Engine ({@code dockerd} 20.10 from Debian's docker.io) as root, configured by a
 * given {@code daemon.json} (such as the {@code registry-mirrors} that {@code cache-proxy
 * client-config --runtime docker} writes), driven with the {@code docker} client of the same
 * package.
 *
 * <p>Everything it keeps is under one short folder in {@code /tmp} ({@code --data-root}, {@code
 * --exec-root}, {@code --pidfile}, the API socket, and the {@code --config-file}: the given {@code
 * daemon.json} plus a {@code deprecated-key-path} that moves the trust key that would go to {@code
 * /etc/docker/key.json}), with the vfs storage driver and no networking set-up ({@code
 * --iptables=false}, {@code --ip-masq=false}, {@code --bridge=none}). It does not start a
 * containerd of its own, which would write to {@code /opt/containerd}: it is given a private {@link
 * Containerd} with {@code --containerd}. It runs in {@link PrivateMounts} with {@code /run} hidden,
 * as it always creates {@code /run/docker/plugins}; the bind mount of its data root stays in that
 * namespace.
 *
 * <p>Its {@code HTTPS_PROXY} and {@code HTTP_PROXY} point at a closed loopback port ({@code
 * NO_PROXY=127.0.0.1,localhost}), so its fallback from the mirror to Docker Hub fails at once
 * instead of leaving the machine. Registries on 127.0.0.0/8 are insecure (plain HTTP) by default.
 *
 * <p>Not thread-safe: one test thread starts, drives and closes it.
 */
final class Dockerd implements ImageClient, AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration CLIENT_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ShortTempDir dir;
  private final Containerd containerd;
  private final Path socket;
  private final Path log;
  private final CommandRunner docker;
  private @Nullable Process process;

  private Dockerd(ShortTempDir dir, Containerd containerd, int closedPort) throws IOException {
    this.dir = dir;
    this.containerd = containerd;
    this.socket = dir.resolve("docker.sock");
    this.log = dir.resolve("dockerd.log");
    this.docker =
        new CommandRunner(
            "docker",
            dir.resolve("client"),
            withDockerConfig(CommandRunner.offlineEnvironment(closedPort), dir.resolve("config")),
            this::logTail);
  }

  /**
   * Starts a dockerd configured by {@code daemonJson}, the text of a {@code daemon.json} such as
   * {@code {"registry-mirrors": ["http://127.0.0.1:5000"]}}, and waits until its API answers.
   *
   * @throws IllegalArgumentException if {@code daemonJson} is not a JSON object, or sets what this
   *     class sets itself ({@code deprecated-key-path})
   */
  static Dockerd start(String daemonJson) throws IOException {
    RequiredTools.dockerd();
    RequiredTools.dockerCli();
    ShortTempDir dir = ShortTempDir.create("dkd");
    Containerd containerd;
    try {
      containerd = Containerd.start();
    } catch (IOException | RuntimeException | Error e) {
      dir.close();
      throw e;
    }
    Dockerd dockerd;
    try {
      dockerd = new Dockerd(dir, containerd, FreePorts.find());
    } catch (IOException | RuntimeException | Error e) {
      containerd.close();
      dir.close();
      throw e;
    }
    try {
      dockerd.startProcess(daemonJson);
      return dockerd;
    } catch (IOException | RuntimeException | Error e) {
      dockerd.close();
      throw e;
    }
  }

  /**
   * {@code environment} plus {@code DOCKER_CONFIG}, so the client never reads {@code ~/.docker}.
   */
  private static Map<String, String> withDockerConfig(
      Map<String, String> environment, Path config) {
    Map<String, String> all = new HashMap<>(environment);
    all.put("DOCKER_CONFIG", config.toString());
    return all;
  }

  private void startProcess(String daemonJson) throws IOException {
    Path configFile =
        Files.writeString(
            dir.resolve("daemon.json"),
            JSON.writerWithDefaultPrettyPrinter().writeValueAsString(withKeyPath(daemonJson)));
    List<String> command =
        List.of(
            RequiredTools.dockerd().toString(),
            "--config-file",
            configFile.toString(),
            "--data-root",
            dir.resolve("root").toString(),
            "--exec-root",
            dir.resolve("exec").toString(),
            "--pidfile",
            dir.resolve("dockerd.pid").toString(),
            "-H",
            "unix://" + socket,
            "--containerd",
            containerd.socket().toString(),
            "--storage-driver",
            "vfs",
            "--iptables=false",
            "--ip-masq=false",
            "--bridge=none");
    ProcessBuilder builder =
        new ProcessBuilder(PrivateMounts.wrap(List.of(Path.of("/run")), command))
            .directory(dir.path().toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    builder.environment().putAll(docker.environment());
    Process started = builder.start();
    process = started;
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      if (answers()) {
        requireStartedIsDockerd(started);
        return;
      }
      if (!started.isAlive()) {
        throw new AssertionError(
            "dockerd exited with code " + started.exitValue() + " on start: " + logTail());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "dockerd did not answer on " + socket + " within " + START_TIMEOUT + ": " + logTail());
      }
      CommandRunner.pause(started, POLL);
    }
  }

  /** {@code daemonJson} with {@code deprecated-key-path} in this dockerd's folder added. */
  private ObjectNode withKeyPath(String daemonJson) throws IOException {
    if (!(JSON.readTree(daemonJson) instanceof ObjectNode config)) {
      throw new IllegalArgumentException("daemon.json is not a JSON object: " + daemonJson);
    }
    if (config.has("deprecated-key-path")) {
      throw new IllegalArgumentException(
          "daemon.json sets deprecated-key-path, which Dockerd sets itself: " + daemonJson);
    }
    return config.put("deprecated-key-path", dir.resolve("key.json").toString());
  }

  private boolean answers() {
    return Files.exists(socket)
        && runDocker(List.of("version", "--format", "{{.Server.Version}}"), Duration.ofSeconds(10))
                .exitCode()
            == 0;
  }

  /**
   * Checks that the process started is dockerd itself (unshare and the shell exec it), so that
   * stopping the one stops the other.
   */
  private void requireStartedIsDockerd(Process started) throws IOException {
    Path pidFile = dir.resolve("dockerd.pid");
    String pid = Files.readString(pidFile).strip();
    if (!pid.equals(Long.toString(started.pid()))) {
      throw new AssertionError(
          "dockerd runs as pid " + pid + " (" + pidFile + "), not as the started " + started.pid());
    }
  }

  /** {@code docker pull ref}, whatever its outcome. */
  @Override
  public CommandRunner.Result pull(String ref) {
    return runDocker(List.of("pull", ref), CLIENT_TIMEOUT);
  }

  /** The image ID of {@code ref}: the digest of its config. */
  Digest imageId(String ref) {
    return Digest.parse(inspect(ref, "{{.Id}}").strip());
  }

  /** The {@code RepoDigests} of {@code ref}, such as {@code name@sha256:…}. */
  List<String> repoDigests(String ref) {
    String json = inspect(ref, "{{json .RepoDigests}}");
    try {
      return List.copyOf(JSON.readValue(json, new TypeReference<List<String>>() {}));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse the RepoDigests of " + ref + ": " + json, e);
    }
  }

  /** Whether the engine has an image named {@code ref}. */
  @Override
  public boolean hasImage(String ref) {
    return runDocker(List.of("image", "inspect", "--format", "{{.Id}}", ref), CLIENT_TIMEOUT)
            .exitCode()
        == 0;
  }

  /** {@code docker rmi ref}, whatever its outcome. */
  @Override
  public CommandRunner.Result removeImage(String ref) {
    return runDocker(List.of("rmi", ref), CLIENT_TIMEOUT);
  }

  /**
   * Stops dockerd (SIGTERM, then SIGKILL), then its containerd, and deletes its folder. Idempotent.
   */
  @Override
  public void close() {
    Process running = process;
    process = null;
    try {
      if (running != null) {
        CommandRunner.stop(running, "dockerd", STOP_TIMEOUT);
      }
    } finally {
      try {
        containerd.close();
      } finally {
        dir.close();
      }
    }
  }

  /** The end of dockerd's log, for failure messages. */
  String logTail() {
    return "\n--- " + log + " (tail) ---\n" + LogTail.of(log);
  }

  private String inspect(String ref, String format) {
    CommandRunner.Result result =
        runDocker(List.of("image", "inspect", "--format", format, ref), CLIENT_TIMEOUT);
    if (result.exitCode() != 0) {
      throw new AssertionError(result.describe("docker image inspect failed"));
    }
    return result.stdout();
  }

  private CommandRunner.Result runDocker(List<String> args, Duration timeout) {
    List<String> command = new ArrayList<>();
    command.add(RequiredTools.dockerCli().toString());
    command.add("--host");
    command.add("unix://" + socket);
    command.addAll(args);
    return docker.run(command, timeout);
  }
}
