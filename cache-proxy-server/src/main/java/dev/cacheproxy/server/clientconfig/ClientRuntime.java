/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.clientconfig;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** A container runtime whose registry-mirror configuration {@link ClientConfigGenerator} writes. */
public enum ClientRuntime {
  /** dockerd: {@code registry-mirrors} in {@code /etc/docker/daemon.json}, Docker Hub only. */
  DOCKER,
  /** containerd (also CRI clients and {@code ctr}): {@code hosts.toml} under {@code certs.d}. */
  CONTAINERD,
  /** podman, buildah, skopeo and CRI-O: a {@code registries.conf.d} drop-in. */
  PODMAN,
  /** k3s and RKE2: {@code registries.yaml}. */
  K3S,
  /** kind: a cluster configuration mounting a {@code certs.d} folder into every node. */
  KIND;

  /** The name users write, such as {@code docker}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The runtime named {@code id}, ignoring case.
   *
   * @throws ClientConfigException naming {@code --runtime} when there is no such runtime
   */
  public static ClientRuntime parse(String id) {
    for (ClientRuntime runtime : values()) {
      if (runtime.id().equalsIgnoreCase(id)) {
        return runtime;
      }
    }
    throw new ClientConfigException(
        "--runtime: '"
            + id
            + "' is not a runtime; write "
            + names()
            + " (podman also covers CRI-O)");
  }

  /** Every runtime's name, for messages: {@code docker, containerd, podman, k3s or kind}. */
  public static String names() {
    String all = Arrays.stream(values()).map(ClientRuntime::id).collect(Collectors.joining(", "));
    int last = all.lastIndexOf(", ");
    return all.substring(0, last) + " or " + all.substring(last + 2);
  }

  @Override
  public String toString() {
    return id();
  }
}
