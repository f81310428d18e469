/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts one real registry per test class, the upstream every test of the class pushes to under its
 * own repository, and a skopeo runner; stops the registry after the class, also on failure.
 */
abstract class EndToEndTestBase {

  @TempDir static @Nullable Path classDir;

  static @Nullable RegistryProcess registryProcess;
  static @Nullable Skopeo skopeoRunner;

  @BeforeAll
  static void startRegistry() throws Exception {
    Path dir = requireNonNull(classDir, "classDir");
    skopeoRunner = new Skopeo(dir.resolve("skopeo"));
    registryProcess = RegistryProcess.start(dir.resolve("registry"));
  }

  @AfterAll
  static void stopRegistry() {
    RegistryProcess registry = registryProcess;
    registryProcess = null;
    if (registry != null) {
      registry.close();
    }
  }

  /** The class's registry. */
  static RegistryProcess registry() {
    return requireNonNull(registryProcess, "registry");
  }

  /** The class's skopeo runner. */
  static Skopeo skopeo() {
    return requireNonNull(skopeoRunner, "skopeo");
  }

  private static <T> T requireNonNull(@Nullable T value, String name) {
    if (value == null) {
      throw new IllegalStateException(name + " is not set up: @BeforeAll did not run or failed");
    }
    return value;
  }
}
