/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.transport;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM files with the JDK alone: a certificate chain ({@code BEGIN CERTIFICATE} blocks) and an
 * unencrypted PKCS#8 private key ({@code BEGIN PRIVATE KEY}: RSA, EC, Ed25519 or Ed448). Other key
 * formats are refused with the {@code openssl} command that converts them.
 */
final class Pem {

  /** The command that turns a PKCS#1, SEC1 or encrypted key into the PKCS#8 this reads. */
  static final String CONVERT = "openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pk8.pem";

  /** The largest PEM file read: a long chain is a few KiB. */
  private static final long MAX_BYTES = 1 << 20;

  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\R(.*?)-----END \\1-----", Pattern.DOTALL);

  private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448");

  private Pem() {}

  /**
   * The certificates of {@code file}, in file order: the server's first, then its issuers.
   *
   * @throws TlsException naming the file when it cannot be read or holds no certificate
   */
  static List<X509Certificate> certificates(Path file) {
    List<Block> blocks = blocks(file);
    List<X509Certificate> chain = new ArrayList<>();
    CertificateFactory factory;
    try {
      factory = CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new IllegalStateException("the JDK has no X.509 certificate factory", e);
    }
    for (Block block : blocks) {
      if (!block.label().equals("CERTIFICATE")) {
        continue;
      }
      try {
        chain.add(
            (X509Certificate)
                factory.generateCertificate(new ByteArrayInputStream(block.der(file))));
      } catch (CertificateException e) {
        throw new TlsException(
            file + ": certificate " + (chain.size() + 1) + " is not valid X.509: " + e.getMessage(),
            e);
      }
    }
    if (chain.isEmpty()) {
      boolean key = blocks.stream().anyMatch(b -> b.label().endsWith("PRIVATE KEY"));
      throw new TlsException(
          file
              + (key
                  ? " holds a private key, not a certificate: tls.certificate must name the PEM"
                      + " certificate chain and tls.key the key"
                  : " holds no PEM certificate (-----BEGIN CERTIFICATE-----)"));
    }
    return List.copyOf(chain);
  }

  /**
   * The private key of {@code file}, which must hold one unencrypted PKCS#8 key.
   *
   * @throws TlsException naming the file when it cannot be read or holds no usable key, with the
   *     {@code openssl} conversion for PKCS#1 ({@code BEGIN RSA PRIVATE KEY}), SEC1 ({@code BEGIN
   *     EC PRIVATE KEY}) and encrypted keys
   */
  static PrivateKey privateKey(Path file) {
    List<Block> blocks = blocks(file);
    for (Block block : blocks) {
      switch (block.label()) {
        case "PRIVATE KEY" -> {
          return pkcs8(file, block.der(file));
        }
        case "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY" ->
            throw new TlsException(
                file
                    + " holds a "
                    + block.label()
                    + " (the traditional OpenSSL format); cache-proxy reads unencrypted PKCS#8"
                    + " keys (BEGIN PRIVATE KEY). Convert it with: "
                    + CONVERT);
        case "ENCRYPTED PRIVATE KEY" ->
            throw new TlsException(
                file
                    + " holds an encrypted private key; cache-proxy needs it unencrypted (protect"
                    + " the file with its permissions). Decrypt it with: "
                    + CONVERT);
        case "OPENSSH PRIVATE KEY" ->
            throw new TlsException(
                file + " holds an OpenSSH key, not a TLS key; use the key of the certificate");
        default -> {
          // a certificate or parameters: look further
        }
      }
    }
    throw new TlsException(
        file
            + (blocks.isEmpty()
                ? " holds no PEM block; tls.key must be a PEM private key (-----BEGIN PRIVATE"
                    + " KEY-----)"
                : " holds no private key (-----BEGIN PRIVATE KEY-----); tls.key must name the key"
                    + " file, tls.certificate the certificate"));
  }

  private static PrivateKey pkcs8(Path file, byte[] der) {
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String algorithm : KEY_ALGORITHMS) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException | RuntimeException e) {
        // not this algorithm: try the next
      }
    }
    throw new TlsException(
        file + ": the PKCS#8 private key is not an RSA, EC, Ed25519 or Ed448 key the JDK can read");
  }

  private static List<Block> blocks(Path file) {
    String text;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new TlsException(file + " is larger than 1 MiB: not a PEM certificate or key");
      }
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new TlsException(file + " does not exist", e);
    } catch (IOException | RuntimeException e) {
      if (e instanceof TlsException tls) {
        throw tls;
      }
      throw new TlsException(
          file
              + " cannot be read as PEM text: "
              + e.getClass().getSimpleName()
              + " "
              + e.getMessage(),
          e);
    }
    List<Block> blocks = new ArrayList<>();
    Matcher matcher = BLOCK.matcher(text);
    while (matcher.find()) {
      blocks.add(new Block(matcher.group(1), matcher.group(2)));
    }
    return blocks;
  }

  /** One {@code -----BEGIN label-----} block: its label and base64 body. */
  private record Block(String label, String base64) {

    byte[] der(Path file) {
      try {
        return Base64.getMimeDecoder().decode(base64);
      } catch (IllegalArgumentException e) {
        throw new TlsException(file + ": the " + label + " block is not valid base64", e);
      }
    }
  }
}
