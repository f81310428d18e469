/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a program in a mount namespace of its own ({@code unshare --mount}) with an empty tmpfs over
 * each of a few machine-wide folders, so what it writes there stays private and vanishes with it.
 *
 * <p>The container clients write a few paths that no flag moves: dockerd 20.10 always creates
 * {@code /run/docker/plugins}; podman 4.3 creates {@code /run/containers/networks} and, as root,
 * writes containers/image's blob info cache to {@code /var/lib/containers/cache}. Mounts a daemon
 * makes (dockerd bind-mounts its data root onto itself) stay in its namespace too, so they go away
 * when it exits, even when it is killed. The sockets and storage the tests use are in folders under
 * {@code /tmp}, which the namespace shares with the JVM.
 *
 * <p>Needs root (see {@link RequiredTools#root()}). A folder that does not exist is left alone.
 */
final class PrivateMounts {

  /**
   * Mounts a tmpfs over each of the first {@code $1} arguments that is a folder, then becomes the
   * rest; exits 125 when a mount fails, so that the program never runs with the real folder. One
   * line, to keep failure messages that show the command line short.
   */
  private static final String SCRIPT =
      "n=$1; shift; while [ \"$n\" -gt 0 ]; do if [ -d \"$1\" ]; then"
          + " mount -n -t tmpfs -o mode=0755 cache-proxy-it \"$1\" || exit 125; fi;"
          + " shift; n=$((n - 1)); done; exec \"$@\"";

  private PrivateMounts() {}

  /**
   * The command line that runs {@code command} (program first) with an empty tmpfs over each of
   * {@code hidden}. The program keeps the process: {@code unshare} and the shell {@code exec} it,
   * so signals sent to the started process reach the program itself.
   */
  static List<String> wrap(List<Path> hidden, List<String> command) {
    RequiredTools.root();
    List<String> wrapped = new ArrayList<>();
    wrapped.add(RequiredTools.unshare().toString());
    wrapped.add("--mount");
    wrapped.add("--propagation");
    wrapped.add("private");
    wrapped.add("/bin/sh");
    wrapped.add("-c");
    wrapped.add(SCRIPT);
    wrapped.add("private-mounts");
    wrapped.add(Integer.toString(hidden.size()));
    hidden.forEach(dir -> wrapped.add(dir.toString()));
    wrapped.addAll(command);
    return wrapped;
  }
}
