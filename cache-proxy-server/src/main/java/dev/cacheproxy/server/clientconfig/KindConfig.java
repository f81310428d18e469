/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.clientconfig;

import java.util.List;

/**
 * A kind cluster whose nodes' containerd reads {@code /etc/containerd/certs.d}, mounted from a host
 * folder that holds the same {@code hosts.toml} as {@link ContainerdConfig} writes.
 */
final class KindConfig {

  /** The host folder mounted into every node as {@code /etc/containerd/certs.d}. */
  static final String HOST_CERTS_D = "/etc/cache-proxy/kind/certs.d";

  private KindConfig() {}

  static ClientConfig generate(MirrorTarget target) {
    String registry = target.registry().host();
    String cluster =
        "# kind create cluster --config kind-cluster.yaml\n"
            + "# Each node's containerd reads registry hosts from "
            + HOST_CERTS_D
            + "\n"
            + "# on this machine; give every node you add the same extraMounts.\n"
            + "kind: Cluster\n"
            + "apiVersion: kind.x-k8s.io/v1alpha4\n"
            + "containerdConfigPatches:\n"
            + "  - |-\n"
            + "    [plugins.\"io.containerd.grpc.v1.cri\".registry]\n"
            + "      config_path = \"/etc/containerd/certs.d\"\n"
            + "nodes:\n"
            + "  - role: control-plane\n"
            + "    extraMounts:\n"
            + "      - hostPath: "
            + HOST_CERTS_D
            + "\n"
            + "        containerPath: /etc/containerd/certs.d\n"
            + "        readOnly: true\n";
    return new ClientConfig(
        List.of(
            new GeneratedFile("kind-cluster.yaml", cluster),
            new GeneratedFile(
                HOST_CERTS_D + "/" + registry + "/hosts.toml", ContainerdConfig.hostsToml(target))),
        "Write both files, then: kind create cluster --config kind-cluster.yaml\n"
            + "kind nodes are containers, where localhost is the node itself: --proxy must be an\n"
            + "address the nodes reach, such as a proxy container on the kind network\n"
            + "(docker network connect kind cache-proxy, then --proxy cache-proxy:5000).\n"
            + "Try it: docker exec kind-control-plane crictl pull "
            + ClientConfigGenerator.exampleImage(target)
            + "\n");
  }
}
