/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.transport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A private certificate authority for tests, made with the real {@code openssl}: a CA certificate
 * and server certificates it signs for {@code 127.0.0.1} and {@code localhost}, each with its own
 * serial number and a PKCS#8 key.
 */
public final class TestCertificates {

  private static final AtomicLong SERIALS = new AtomicLong(System.nanoTime() & 0xffffffffL);

  private final Path dir;

  private TestCertificates(Path dir) {
    this.dir = dir;
  }

  /**
   * A server certificate and its key.
   *
   * @param certificate the PEM certificate chain (the server's, then the CA's)
   * @param key the PEM PKCS#8 key
   * @param serial the certificate's serial number, in hex as {@code openssl} prints it
   */
  public record Issued(Path certificate, Path key, String serial) {}

  /** Makes a CA (EC P-256, valid 30 days) in {@code dir}. */
  public static TestCertificates createCa(Path dir) throws IOException {
    Files.createDirectories(dir);
    TestCertificates ca = new TestCertificates(dir);
    ca.openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-subj",
        "/CN=cache-proxy test CA",
        "-days",
        "30");
    return ca;
  }

  /** The CA's PEM certificate. */
  public Path caCertificate() {
    return dir.resolve("ca.crt");
  }

  /**
   * Issues a certificate for {@code 127.0.0.1} and {@code localhost}, valid {@code days}, into
   * {@code name.crt} (with the CA appended) and {@code name.key}.
   *
   * @param algorithm the key: {@code RSA}, {@code EC} or {@code ED25519}
   */
  public Issued issue(String name, String algorithm, int days) throws IOException {
    String key = name + ".key";
    switch (algorithm) {
      case "RSA" ->
          openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key);
      case "EC" ->
          openssl(
              "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key);
      case "ED25519" -> openssl("genpkey", "-algorithm", "ED25519", "-out", key);
      default -> throw new IllegalArgumentException(algorithm);
    }
    Path extensions = dir.resolve(name + ".ext");
    Files.writeString(
        extensions,
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
            + "basicConstraints=CA:FALSE\n"
            + "keyUsage=digitalSignature,keyEncipherment\n"
            + "extendedKeyUsage=serverAuth\n",
        StandardCharsets.US_ASCII);
    String serial = Long.toHexString(SERIALS.incrementAndGet()).toUpperCase(java.util.Locale.ROOT);
    openssl("req", "-new", "-key", key, "-out", name + ".csr", "-subj", "/CN=" + name);
    openssl(
        "x509",
        "-req",
        "-in",
        name + ".csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-set_serial",
        "0x" + serial,
        "-days",
        Integer.toString(days),
        "-extfile",
        extensions.toString(),
        "-out",
        name + ".leaf.crt");
    Path chain = dir.resolve(name + ".crt");
    Files.writeString(
        chain,
        Files.readString(dir.resolve(name + ".leaf.crt")) + Files.readString(caCertificate()));
    return new Issued(chain, dir.resolve(key), serial);
  }

  /** Converts the PKCS#8 key {@code key} to the traditional format ({@code BEGIN RSA/EC ...}). */
  public Path traditional(Path key, String algorithm) throws IOException {
    Path out = dir.resolve(key.getFileName() + ".traditional");
    if (algorithm.equals("RSA")) {
      openssl("rsa", "-in", key.toString(), "-traditional", "-out", out.toString());
    } else {
      // openssl 3 writes EC keys in the SEC1 format (BEGIN EC PRIVATE KEY) by default
      openssl("ec", "-in", key.toString(), "-out", out.toString());
    }
    return out;
  }

  /** Encrypts the PKCS#8 key {@code key} with a passphrase ({@code BEGIN ENCRYPTED ...}). */
  public Path encrypted(Path key) throws IOException {
    Path out = dir.resolve(key.getFileName() + ".encrypted");
    openssl(
        "pkcs8",
        "-topk8",
        "-in",
        key.toString(),
        "-passout",
        "pass:secret",
        "-out",
        out.toString());
    return out;
  }

  /** Runs {@code openssl args} in the CA's folder, failing with its output. */
  void openssl(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
    if (process.exitValue() != 0) {
      throw new AssertionError(
          String.join(" ", command) + " failed with " + process.exitValue() + ":\n" + output);
    }
  }
}
