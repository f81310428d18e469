/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.clientconfig;

import java.util.List;
import java.util.regex.Pattern;

/**
 * dockerd's {@code registry-mirrors} in {@code /etc/docker/daemon.json}. dockerd uses mirrors for
 * Docker Hub only (moby#18818) and asks them for plain names ({@code /v2/library/nginx/...}), which
 * the proxy's default rule {@code *} serves. The file is JSON, so it carries no comments.
 */
final class DockerConfig {

  /** The loopback addresses dockerd trusts over plain HTTP without {@code insecure-registries}. */
  private static final Pattern LOOPBACK =
      Pattern.compile("localhost|127\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}");

  private DockerConfig() {}

  static ClientConfig generate(MirrorTarget target) {
    check(target);
    String proxy = target.proxy();
    StringBuilder json = new StringBuilder();
    json.append("{\n  \"registry-mirrors\": [\"").append(target.proxyUrl()).append("\"]");
    if (needsInsecure(target)) {
      json.append(",\n  \"insecure-registries\": [\"").append(proxy).append("\"]");
    }
    json.append("\n}\n");
    return new ClientConfig(
        List.of(new GeneratedFile("/etc/docker/daemon.json", json.toString())),
        """
        Merge these keys into /etc/docker/daemon.json, then restart dockerd:
          sudo systemctl restart docker
        docker info then lists the proxy under Registry Mirrors. dockerd asks it for plain
        names (docker pull nginx asks for /v2/library/nginx/...), which the proxy's default
        rule "*" sends to Docker Hub; it pulls from Docker Hub itself when the proxy fails.
        Try it: docker pull alpine:latest
        """);
  }

  /** Whether dockerd must be told to reach the proxy without TLS. */
  private static boolean needsInsecure(MirrorTarget target) {
    return !target.tls() && !LOOPBACK.matcher(target.proxyHost()).matches();
  }

  private static void check(MirrorTarget target) {
    String registry = target.registry().host();
    if (!target.registry().isDockerHub()) {
      String alias = target.alias().orElse("ALIAS");
      throw new ClientConfigException(
          "--registry "
              + registry
              + ": dockerd's registry-mirrors only applies to Docker Hub (moby#18818), so dockerd"
              + " cannot mirror "
              + registry
              + ". Pull through the proxy's alias instead: docker pull "
              + target.proxy()
              + "/"
              + alias
              + "/OWNER/IMAGE:TAG"
              + (target.alias().isPresent()
                  ? ""
                  : " (with a proxy rule ALIAS/* -> " + registry + "/*)")
              + (needsInsecure(target)
                  ? ", with " + target.proxy() + " in daemon.json's insecure-registries"
                  : "")
              + "; or configure containerd or podman: cache-proxy client-config --runtime"
              + " containerd --registry "
              + registry);
    }
    if (target.pathPrefix().isPresent()) {
      throw new ClientConfigException(
          "--path-prefix: dockerd asks a mirror for plain names (/v2/library/nginx/...), which"
              + " the proxy's default rule \"*\" serves; leave --path-prefix out for docker");
    }
    if (target.digestOnly()) {
      throw new ClientConfigException(
          "--digest-only: dockerd's registry-mirrors has no digest-only setting; containerd and"
              + " podman have one");
    }
    if (target.upstreamOverridden()) {
      throw new ClientConfigException(
          "--upstream-url: dockerd pulls from Docker Hub itself when the mirror fails; it takes"
              + " no upstream URL");
    }
  }
}
