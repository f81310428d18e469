/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the real {@code skopeo}, the client of the end-to-end tests, with a bounded time.
 *
 * <p>Every call talks plain HTTP to 127.0.0.1 ({@code --*-tls-verify=false}), ignores the machine's
 * signature policy ({@code --insecure-policy}) and never retries, so a failure shows at once.
 * {@code dir:} destinations keep the manifest bytes ({@code manifest.json}, and {@code
 * <hex>.manifest.json} per instance with {@code --all}) and each blob as a file named by its hex
 * digest, so two copies of the same image are byte-identical folders.
 *
 * <p>Thread-safe: each run has its own output files.
 */
final class Skopeo {

  /** Long enough for a 100 MiB layer through two local hops on a slow CI machine. */
  static final Duration TIMEOUT = Duration.ofMinutes(5);

  private final Path skopeo;
  private final Path workDir;
  private final AtomicInteger runs = new AtomicInteger();

  /** A skopeo runner keeping its output files and temporary files under {@code workDir}. */
  Skopeo(Path workDir) throws IOException {
    this.skopeo = RequiredTools.skopeo();
    this.workDir = Files.createDirectories(workDir);
    Files.createDirectories(workDir.resolve("tmp"));
  }

  /**
   * The outcome of one skopeo run.
   *
   * @param command the command line
   * @param exitCode the exit code
   * @param stdoutBytes what it printed to stdout
   * @param stderr what it printed to stderr
   */
  record Result(List<String> command, int exitCode, byte[] stdoutBytes, String stderr) {

    /** What it printed to stdout, as text. */
    String stdout() {
      return new String(stdoutBytes, StandardCharsets.UTF_8);
    }

    /** Returns this result if skopeo succeeded, else fails with its stderr. */
    Result requireSuccess() {
      if (exitCode != 0) {
        throw new AssertionError(describe("failed"));
      }
      return this;
    }

    /** The command line, the exit code and the output, for failure messages. */
    String describe(String what) {
      return "skopeo "
          + what
          + " with exit code "
          + exitCode
          + ": "
          + String.join(" ", command)
          + "\n--- stderr ---\n"
          + stderr.strip()
          + "\n--- stdout ---\n"
          + stdout().strip();
    }
  }

  /** Copies {@code source} (a {@code docker://} reference) into the folder {@code dest}. */
  void copy(String source, Path dest) {
    tryCopy(List.of(), List.of(), source, dest).requireSuccess();
  }

  /**
   * Copies {@code source} into the folder {@code dest}, logging in to the source registry with
   * {@code creds} ({@code user:password}).
   */
  void copy(String source, Path dest, String creds) {
    tryCopy(List.of(), List.of("--src-creds", creds), source, dest).requireSuccess();
  }

  /** Copies an image index and every image in it into the folder {@code dest}. */
  void copyAll(String source, Path dest) {
    tryCopy(List.of(), List.of("--all"), source, dest).requireSuccess();
  }

  /** Copies only the image for {@code os}/{@code arch} out of an index into {@code dest}. */
  void copyPlatform(String source, Path dest, String os, String arch) {
    tryCopy(List.of("--override-os", os, "--override-arch", arch), List.of(), source, dest)
        .requireSuccess();
  }

  /**
   * Copies {@code source} (a {@code docker://} reference) into the folder {@code dest} with the
   * registry mirrors of {@code registriesConf}, a {@code registries.conf} (v2) read instead of the
   * machine's ({@code --registries-conf}). {@code HTTPS_PROXY} and {@code HTTP_PROXY} point at a
   * closed loopback port, so that a fallback from the mirror to a public registry fails at once
   * instead of leaving the machine.
   */
  void copyWithRegistriesConf(Path registriesConf, String source, Path dest) {
    tryCopy(
            List.of("--registries-conf", registriesConf.toString()),
            List.of(),
            source,
            dest,
            CommandRunner.offlineEnvironment(FreePorts.find()))
        .requireSuccess();
  }

  /** Copies {@code source} into {@code dest} and returns the outcome, whatever it is. */
  Result tryCopy(String source, Path dest) {
    return tryCopy(List.of(), List.of(), source, dest);
  }

  /**
   * Copies {@code source} into {@code dest} signing in with {@code creds} ({@code user:password})
   * and returns the outcome, whatever it is.
   */
  Result tryCopy(String source, Path dest, String creds) {
    return tryCopy(List.of(), List.of("--src-creds", creds), source, dest);
  }

  private Result tryCopy(
      List<String> globalOptions, List<String> copyOptions, String source, Path dest) {
    return tryCopy(globalOptions, copyOptions, source, dest, Map.of());
  }

  private Result tryCopy(
      List<String> globalOptions,
      List<String> copyOptions,
      String source,
      Path dest,
      Map<String, String> environment) {
    List<String> args = new ArrayList<>(globalOptions);
    args.addAll(List.of("copy", "--retry-times", "0", "--src-tls-verify=false"));
    args.addAll(copyOptions);
    args.add(source);
    args.add("dir:" + dest.toAbsolutePath());
    return run(args, TIMEOUT, environment);
  }

  /**
   * Pushes the image tagged {@code tag} in the OCI layout {@code layout} to {@code dest} (a {@code
   * docker://} reference), every platform of an index, keeping every digest: layers stay as they
   * are (uncompressed tars are not gzipped on the way).
   */
  void push(Path layout, String tag, String dest) {
    push(layout, tag, dest, List.of());
  }

  /**
   * Like {@link #push(Path, String, String)}, logging in to the destination registry with {@code
   * creds} ({@code user:password}).
   */
  void push(Path layout, String tag, String dest, String creds) {
    push(layout, tag, dest, List.of("--dest-creds", creds));
  }

  private void push(Path layout, String tag, String dest, List<String> options) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "copy",
                "--all",
                "--preserve-digests",
                "--retry-times",
                "0",
                "--dest-tls-verify=false"));
    args.addAll(options);
    args.add("oci:" + layout.toAbsolutePath() + ":" + tag);
    args.add(dest);
    run(args).requireSuccess();
  }

  /** The manifest or index bytes of {@code ref} as the registry serves them. */
  byte[] inspectRaw(String ref) {
    return run(List.of("inspect", "--raw", "--retry-times", "0", "--tls-verify=false", ref))
        .requireSuccess()
        .stdoutBytes();
  }

  /** Runs {@code skopeo <global options> args} with {@link #TIMEOUT}. */
  Result run(List<String> args) {
    return run(args, TIMEOUT);
  }

  /**
   * Runs skopeo with {@code args} after the global options that every call shares.
   *
   * @throws AssertionError if skopeo cannot start or does not finish within {@code timeout}
   */
  Result run(List<String> args, Duration timeout) {
    return run(args, timeout, Map.of());
  }

  /** Like {@link #run(List, Duration)}, with {@code environment} over the JVM's own. */
  private Result run(List<String> args, Duration timeout, Map<String, String> environment) {
    List<String> command = new ArrayList<>();
    command.add(skopeo.toString());
    command.add("--insecure-policy");
    command.add("--tmpdir");
    command.add(workDir.resolve("tmp").toString());
    command.addAll(args);
    int n = runs.incrementAndGet();
    Path out = workDir.resolve("skopeo-" + n + ".out");
    Path err = workDir.resolve("skopeo-" + n + ".err");
    int exitCode =
        CommandRunner.execute("skopeo", command, workDir, out, err, environment, timeout, () -> "");
    try {
      return new Result(
          List.copyOf(command),
          exitCode,
          Files.readAllBytes(out),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new AssertionError("cannot read skopeo's output in " + workDir, e);
    }
  }
}
