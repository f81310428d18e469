/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import java.io.File;
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
