/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds the external programs the end-to-end tests drive, failing clearly when one is missing. */
final class RequiredTools {

  private RequiredTools() {}

  /** The {@code docker-registry} executable (CNCF distribution 2.8), or a failure. */
  static Path dockerRegistry() {
    return require("docker-registry");
  }

  /** The {@code skopeo} executable, or a failure. */
  static Path skopeo() {
    return require("skopeo");
  }

  /** The {@code podman} executable (Debian package podman), or a failure. */
  static Path podman() {
    return require("podman", "podman");
  }

  /** The {@code containerd} daemon (Debian package containerd), or a failure. */
  static Path containerd() {
    return require("containerd", "containerd");
  }

  /** The {@code ctr} client of containerd (Debian package containerd), or a failure. */
  static Path ctr() {
    return require("ctr", "containerd");
  }

  /** The {@code dockerd} daemon (Debian package docker.io), or a failure. */
  static Path dockerd() {
    return require("dockerd", "docker.io");
  }

  /**
   * The {@code docker} client of Debian's docker.io, {@code /usr/bin/docker}, or else the first
   * {@code docker} on the PATH (which may be a newer client that shadows it), or a failure.
   */
  static Path dockerCli() {
    Path debian = Path.of("/usr/bin/docker");
    if (Files.isRegularFile(debian) && Files.isExecutable(debian)) {
      return debian;
    }
    return require("docker", "docker.io");
  }

  /** The {@code chromium} browser (Debian package chromium), run headless, or a failure. */
  static Path chromium() {
    return require("chromium", "chromium");
  }

  /** The {@code unshare} program (util-linux), which gives a daemon private mounts. */
  static Path unshare() {
    return require("unshare", "util-linux");
  }

  /**
   * Checks that the tests run as root, as dockerd, containerd and podman with private storage and
   * private mounts need.
   *
   * @throws AssertionError if the effective user is not root
   */
  static void root() {
    int uid;
    try {
      uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException | UnsupportedOperationException e) {
      throw new AssertionError("cannot tell the user id from /proc/self: " + e, e);
    }
    if (uid != 0) {
      throw new AssertionError(
          "the container client tests start dockerd, containerd and podman with private storage"
              + " and mounts, which needs root; this runs as uid "
              + uid
              + ". Run ./run-tests as root.");
    }
  }

  /**
   * The executable {@code name} on the PATH, from the Debian package {@code debianPackage}.
   *
   * @throws AssertionError naming the tool and its package, so the test fails, not skips
   */
  static Path require(String name, String debianPackage) {
    return find(name)
        .orElseThrow(() ->
            new AssertionError(
                "'"
                    + name
                    + "' is not on the PATH ("
                    + System.getenv("PATH")
                    + "). The end-to-end tests run the real container clients: run ./run-tests"
                    + " from the repository root as root, which installs them (apt-get install "
                    + debianPackage
                    + ")."));
  }

  /**
   * The executable {@code name} on the PATH.
   *
   * @throws AssertionError naming the tool and how to install it, so the test fails, not skips
   */
  static Path require(String name) {
    return find(name)
        .orElseThrow(() ->
            new AssertionError(
                "'"
                    + name
                    + "' is not on the PATH ("
                    + System.getenv("PATH")
                    + "). The end-to-end tests run the real docker-registry and skopeo: run"
                    + " ./run-tests from the repository root, which installs them"
                    + " (apt-get install docker-registry skopeo)."));
  }

  private static Optional<Path> find(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
