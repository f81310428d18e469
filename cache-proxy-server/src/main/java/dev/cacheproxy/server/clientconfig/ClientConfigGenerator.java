/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.clientconfig;

import java.util.Objects;

/**
 * Writes the configuration a container runtime needs to pull through a running proxy as its
 * registry mirror. Every file's content is valid as written (JSON for dockerd, TOML for containerd
 * and podman, YAML for k3s and kind), so it can be saved and used unchanged.
 *
 * <pre>{@code
 * ClientConfig config =
 *     ClientConfigGenerator.generate(
 *         ClientRuntime.CONTAINERD, MirrorTarget.of("cache.example:5000", "ghcr.io"));
 * for (GeneratedFile file : config.files()) {
 *   Files.writeString(root.resolve(file.path().substring(1)), file.content());
 * }
 * }</pre>
 */
public final class ClientConfigGenerator {

  private ClientConfigGenerator() {}

  /**
   * The files and usage note for {@code runtime} to mirror {@code target}'s registry.
   *
   * @throws ClientConfigException when the runtime cannot mirror the target as asked (dockerd and
   *     any registry but Docker Hub, podman and a registry without an alias, ...); the message
   *     names the option and the alternative
   */
  public static ClientConfig generate(ClientRuntime runtime, MirrorTarget target) {
    Objects.requireNonNull(target, "target");
    return switch (runtime) {
      case DOCKER -> DockerConfig.generate(target);
      case CONTAINERD -> ContainerdConfig.generate(target);
      case PODMAN -> PodmanConfig.generate(target);
      case K3S -> K3sConfig.generate(target);
      case KIND -> KindConfig.generate(target);
    };
  }

  /** An image reference to try a pull with, such as {@code docker.io/library/alpine:latest}. */
  static String exampleImage(MirrorTarget target) {
    String registry = target.registry().host();
    return target.registry().isDockerHub()
        ? "docker.io/library/alpine:latest"
        : registry + "/OWNER/IMAGE:TAG";
  }
}
