/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.clientconfig;

import java.util.List;

/**
 * A {@code registries.conf.d} drop-in for podman, buildah, skopeo and CRI-O (containers/image).
 * They ask a mirror for plain names and send no {@code ?ns=}, and the proxy sends plain names to
 * its default rule (Docker Hub), so any other registry is mirrored through an alias path prefix.
 */
final class PodmanConfig {

  private PodmanConfig() {}

  static ClientConfig generate(MirrorTarget target) {
    String registry = target.registry().host();
    String alias = alias(target);
    String mirror = target.proxy() + (alias.isEmpty() ? "" : "/" + alias);
    StringBuilder toml = new StringBuilder();
    toml.append("# podman, buildah, skopeo and CRI-O pull ")
        .append(registry)
        .append(" images from cache-proxy first,\n")
        .append("# and from ")
        .append(registry)
        .append(" itself when the proxy fails. ");
    if (alias.isEmpty()) {
      toml.append("They ask the proxy for plain\n")
          .append("# names (/v2/library/alpine/...), which its default rule \"*\" serves.\n");
    } else {
      toml.append("They ask the proxy for\n")
          .append("# /v2/")
          .append(alias)
          .append("/<name>/..., which its alias rule ")
          .append(alias)
          .append("/* serves.\n");
    }
    toml.append("[[registry]]\n").append("location = \"").append(registry).append("\"\n");
    if ("http".equals(target.registry().endpoint().getScheme())) {
      toml.append("insecure = true  # ").append(registry).append(" itself is plain HTTP\n");
    }
    if (target.digestOnly()) {
      toml.append(
          """
          # Only pulls by digest use the mirror; tags are resolved at the registry.
          # Newer containers/image (podman 4.3.1 in Debian 12 already) can say the same
          # per mirror with pull-from-mirror = "digest-only" on the [[registry.mirror]];
          # the two keys cannot be combined.
          mirror-by-digest-only = true
          """);
    }
    toml.append("\n[[registry.mirror]]\n").append("location = \"").append(mirror).append("\"\n");
    if (!target.tls()) {
      toml.append("insecure = true  # the proxy is plain HTTP\n");
    }
    String file = "cache-proxy-" + registry.replace(':', '_') + ".conf";
    return new ClientConfig(
        List.of(new GeneratedFile("/etc/containers/registries.conf.d/" + file, toml.toString())),
        "podman, buildah and skopeo read it at their next command; CRI-O needs a restart:\n"
            + "  sudo systemctl restart crio\n"
            + "Try it: podman pull "
            + ClientConfigGenerator.exampleImage(target)
            + "\n");
  }

  /** The path prefix to pull through, empty for plain names. */
  private static String alias(MirrorTarget target) {
    if (target.registry().isDockerHub()) {
      return target.pathPrefix().orElse("");
    }
    String registry = target.registry().host();
    return target
        .alias()
        .orElseThrow(() ->
            new ClientConfigException(
                "--path-prefix: podman asks a mirror for plain names and sends no ?ns=, and"
                    + " the proxy sends plain names to its default rule (Docker Hub); to"
                    + " mirror "
                    + registry
                    + ", give the alias of a proxy rule for it, such as --path-prefix"
                    + " internal for a rule internal/* -> "
                    + registry
                    + "/*"));
  }
}
