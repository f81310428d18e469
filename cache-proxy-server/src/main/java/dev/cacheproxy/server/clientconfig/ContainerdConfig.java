/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.clientconfig;

import java.util.List;

/**
 * containerd's registry hosts configuration: {@code /etc/containerd/certs.d/<registry>/hosts.toml}
 * with the proxy as a host in front of the registry's own server, and the {@code config.toml} lines
 * that make the CRI plugin read that folder.
 *
 * <p>containerd adds {@code ?ns=<registry>} to every request it sends to a host that is not the
 * registry itself, so one proxy serves every registry without aliases.
 */
final class ContainerdConfig {

  /** The folder containerd's CRI plugin and {@code ctr --hosts-dir} read hosts files from. */
  static final String CERTS_D = "/etc/containerd/certs.d";

  private ContainerdConfig() {}

  static ClientConfig generate(MirrorTarget target) {
    String registry = target.registry().host();
    return new ClientConfig(
        List.of(
            new GeneratedFile(CERTS_D + "/" + registry + "/hosts.toml", hostsToml(target)),
            new GeneratedFile("/etc/containerd/config.toml", configToml())),
        "hosts.toml takes effect at the next pull; after changing config.toml:\n"
            + "  sudo systemctl restart containerd\n"
            + "Try it: sudo ctr images pull --hosts-dir "
            + CERTS_D
            + " "
            + ClientConfigGenerator.exampleImage(target)
            + "\n"
            + "(ctr reads hosts.toml only with --hosts-dir; kubelet and crictl through"
            + " config_path.)\n");
  }

  /** The {@code hosts.toml} for the target's registry; kind mounts the same file. */
  static String hostsToml(MirrorTarget target) {
    String registry = target.registry().host();
    StringBuilder toml = new StringBuilder();
    toml.append("# containerd asks cache-proxy first, and ")
        .append(registry)
        .append(" itself when the proxy fails.\n");
    String hostUrl = target.proxyUrl();
    if (target.pathPrefix().isPresent()) {
      String prefix = target.pathPrefix().get();
      hostUrl += "/v2/" + prefix;
      toml.append("# It asks for /v2/")
          .append(prefix)
          .append("/<name>/..., which the proxy's alias rule ")
          .append(prefix)
          .append("/* serves\n")
          .append("# (override_path: containerd uses the path as written, adding no /v2).\n");
    } else {
      toml.append("# It adds ?ns=")
          .append(registry)
          .append(" to each request, so one proxy serves every registry:\n")
          .append("# the proxy routes by ns when ")
          .append(registry)
          .append(" is in its registries: map.\n");
    }
    toml.append("server = \"").append(target.registry().endpoint()).append("\"\n\n");
    toml.append("[host.\"").append(hostUrl).append("\"]\n");
    if (target.digestOnly()) {
      toml.append("  # Only pulls by digest use the proxy; tags are resolved at ")
          .append(registry)
          .append(".\n")
          .append("  capabilities = [\"pull\"]\n");
    } else {
      toml.append("  capabilities = [\"pull\", \"resolve\"]\n");
    }
    if (target.pathPrefix().isPresent()) {
      toml.append("  override_path = true\n");
    }
    if (target.tls()) {
      toml.append("  # For a proxy certificate from a private CA: ca = \"/path/to/ca.crt\"\n");
    }
    return toml.toString();
  }

  private static String configToml() {
    return """
    # Merge into /etc/containerd/config.toml for containerd 1.6 and 1.7 (2.x reads
    # /etc/containerd/certs.d without it). Remove any registry.mirrors entries of
    # the cri plugin: containerd refuses them together with config_path.
    version = 2

    [plugins."io.containerd.grpc.v1.cri".registry]
      config_path = "/etc/containerd/certs.d"
    """;
  }
}
