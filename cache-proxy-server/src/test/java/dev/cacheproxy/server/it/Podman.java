/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import dev.cacheproxy.core.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs {@code podman} 4.3 as root with private storage and a private {@code registries.conf}, for
 * pulls through registry mirrors.
 *
 * <p>Everything it keeps is under one folder in {@code /tmp}: vfs storage ({@code --root}, {@code
 * --runroot}, {@code --storage-driver vfs}, and a {@code storage.conf} saying the same), a {@code
 * containers.conf} for the rest (cgroupfs, file events, libpod's tmp, static and volume folders,
 * the network config folder), {@code TMPDIR}, the {@code registries.conf} ({@code
 * CONTAINERS_REGISTRIES_CONF}), an empty auth file ({@code REGISTRY_AUTH_FILE}, which must exist)
 * and a signature policy that accepts anything ({@code --signature-policy}). Each run is in {@link
 * PrivateMounts} with {@code /run} and {@code /var/lib/containers} hidden, since podman creates
 * {@code /run/containers/networks} and, as root, writes containers/image's blob info cache to
 * {@code /var/lib/containers/cache} whatever the flags say.
 *
 * <p>Its {@code HTTPS_PROXY} and {@code HTTP_PROXY} point at a closed loopback port ({@code
 * NO_PROXY=127.0.0.1,localhost}), so nothing leaves the machine.
 *
 * <p>Thread-safe, though podman serializes runs on its storage lock.
 */
final class Podman implements ImageClient, AutoCloseable {

  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  private final ShortTempDir dir;
  private final Path policy;
  private final CommandRunner podman;

  private Podman(ShortTempDir dir, Map<String, String> environment) throws IOException {
    this.dir = dir;
    this.policy = dir.resolve("policy.json");
    this.podman = new CommandRunner("podman", dir.resolve("client"), environment, () -> "");
  }

  /**
   * A podman with empty storage in a new folder under {@code /tmp}, reading {@code registriesConf}
   * as its {@code registries.conf} (v2), such as a {@code registries.conf.d} drop-in that {@code
   * cache-proxy client-config --runtime podman} writes.
   */
  static Podman create(String registriesConf) throws IOException {
    RequiredTools.podman();
    ShortTempDir dir = ShortTempDir.create("pdm");
    try {
      Path root = dir.resolve("root");
      Path runRoot = dir.resolve("run");
      Path tmp = Files.createDirectories(dir.resolve("tmp"));
      Path storageConf =
          Files.writeString(
              dir.resolve("storage.conf"),
              """
              [storage]
              driver = "vfs"
              graphroot = "%s"
              runroot = "%s"
              """
                  .formatted(root, runRoot));
      Path containersConf =
          Files.writeString(
              dir.resolve("containers.conf"),
              """
              [engine]
              cgroup_manager = "cgroupfs"
              events_logger = "file"
              events_logfile_path = "%1$s/events.log"
              tmp_dir = "%1$s/libpod-tmp"
              static_dir = "%1$s/root/libpod"
              volume_path = "%1$s/root/volumes"

              [network]
              network_config_dir = "%1$s/networks"
              """
                  .formatted(dir.path()));
      Files.writeString(
          dir.resolve("policy.json"), "{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}");
      Path authFile = Files.writeString(dir.resolve("auth.json"), "{\"auths\":{}}");
      Path registries =
          Files.writeString(dir.resolve("registries.conf"), registriesConf, StandardCharsets.UTF_8);
      Map<String, String> environment =
          new HashMap<>(CommandRunner.offlineEnvironment(FreePorts.find()));
      environment.put("CONTAINERS_CONF", containersConf.toString());
      environment.put("CONTAINERS_STORAGE_CONF", storageConf.toString());
      environment.put("CONTAINERS_REGISTRIES_CONF", registries.toString());
      environment.put("REGISTRY_AUTH_FILE", authFile.toString());
      environment.put("TMPDIR", tmp.toString());
      return new Podman(dir, environment);
    } catch (IOException | RuntimeException | Error e) {
      dir.close();
      throw e;
    }
  }

  /** {@code podman pull ref}, whatever its outcome. */
  @Override
  public CommandRunner.Result pull(String ref) {
    return run(List.of("pull", "--signature-policy", policy.toString(), ref));
  }

  /**
   * {@code podman login --tls-verify=false -u user -p password host}, whatever its outcome; the
   * credentials go to this podman's own auth file.
   */
  CommandRunner.Result login(String host, String user, String password) {
    return run(List.of("login", "--tls-verify=false", "-u", user, "-p", password, host));
  }

  /** {@code podman pull --tls-verify=false ref} (with what {@link #login} stored), any outcome. */
  CommandRunner.Result pullInsecure(String ref) {
    return run(List.of("pull", "--tls-verify=false", "--signature-policy", policy.toString(), ref));
  }

  /** The image ID of {@code ref}: the digest of its config. */
  Digest imageId(String ref) {
    return Digest.parse("sha256:" + inspect(ref, "{{.Id}}").strip());
  }

  /** The manifest digest of {@code ref}, as pulled. */
  Digest digest(String ref) {
    return Digest.parse(inspect(ref, "{{.Digest}}").strip());
  }

  /** Whether the storage has an image named {@code ref} ({@code podman image exists}). */
  @Override
  public boolean hasImage(String ref) {
    CommandRunner.Result result = run(List.of("image", "exists", ref));
    if (result.exitCode() > 1) {
      throw new AssertionError(result.describe("podman image exists failed"));
    }
    return result.exitCode() == 0;
  }

  /** {@code podman rmi ref}, whatever its outcome. */
  @Override
  public CommandRunner.Result removeImage(String ref) {
    return run(List.of("rmi", ref));
  }

  /** Deletes the storage and the configuration. */
  @Override
  public void close() {
    dir.close();
  }

  private String inspect(String ref, String format) {
    return run(List.of("image", "inspect", "--format", format, ref)).requireSuccess().stdout();
  }

  private CommandRunner.Result run(List<String> args) {
    List<String> command =
        CommandRunner.concat(
            List.of(
                RequiredTools.podman().toString(),
                "--root",
                dir.resolve("root").toString(),
                "--runroot",
                dir.resolve("run").toString(),
                "--storage-driver",
                "vfs",
                "--cgroup-manager",
                "cgroupfs",
                "--events-backend",
                "file",
                "--tmpdir",
                dir.resolve("libpod-tmp").toString()),
            args);
    return podman.run(
        PrivateMounts.wrap(List.of(Path.of("/run"), Path.of("/var/lib/containers")), command),
        TIMEOUT);
  }
}
