/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.clientconfig;

import java.util.List;

/**
 * k3s's (and RKE2's) {@code registries.yaml}, with the proxy as the registry's mirror endpoint. k3s
 * writes it into containerd's hosts configuration, so containerd adds {@code ?ns=<registry>} and no
 * alias is needed. Only the endpoint form is written: no {@code rewrite}, no capabilities.
 */
final class K3sConfig {

  private K3sConfig() {}

  static ClientConfig generate(MirrorTarget target) {
    check(target);
    String registry = target.registry().host();
    String yaml =
        "# k3s and RKE2 (/etc/rancher/rke2/registries.yaml) turn this into containerd\n"
            + "# hosts config: nodes pull "
            + registry
            + " images from cache-proxy first, and from\n"
            + "# "
            + registry
            + " itself when the proxy fails. containerd adds ?ns="
            + registry
            + " to each\n"
            + "# request, so one proxy serves every registry: the proxy routes by ns when\n"
            + "# "
            + registry
            + " is in its registries: map.\n"
            + "mirrors:\n"
            + "  \""
            + registry
            + "\":\n"
            + "    endpoint:\n"
            + "      - \""
            + target.proxyUrl()
            + "\"\n";
    return new ClientConfig(
        List.of(new GeneratedFile("/etc/rancher/k3s/registries.yaml", yaml)),
        "Write it on every node, servers too, then restart k3s:\n"
            + "  sudo systemctl restart k3s    (agents: k3s-agent; RKE2: rke2-server or"
            + " rke2-agent)\n"
            + "Try it: sudo k3s crictl pull "
            + ClientConfigGenerator.exampleImage(target)
            + "\n");
  }

  private static void check(MirrorTarget target) {
    if (target.pathPrefix().isPresent()) {
      throw new ClientConfigException(
          "--path-prefix: not written for k3s: containerd adds ?ns="
              + target.registry().host()
              + " to each request, so the proxy routes by that (list the registry in its"
              + " registries: map); leave --path-prefix out");
    }
    if (target.digestOnly()) {
      throw new ClientConfigException(
          "--digest-only: k3s's registries.yaml has no digest-only setting; use --runtime"
              + " containerd on the nodes instead");
    }
    if (target.upstreamOverridden()) {
      throw new ClientConfigException(
          "--upstream-url: not written for k3s, which falls back to the registry's default"
              + " endpoint (https://<registry>)");
    }
  }
}
