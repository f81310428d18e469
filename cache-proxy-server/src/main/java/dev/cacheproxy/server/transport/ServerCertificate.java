/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.transport;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A certificate chain and its private key, read from PEM files and checked to belong together.
 *
 * @param chain the server's certificate first, then its issuers
 * @param key the private key of the first certificate
 * @param alias the name the key manager gives this pair, unique per load
 */
record ServerCertificate(List<X509Certificate> chain, PrivateKey key, String alias) {

  /** How close to its expiry a certificate gets a warning. */
  static final Duration EXPIRY_WARNING = Duration.ofDays(14);

  /** Copies the chain and checks it is not empty. */
  ServerCertificate {
    chain = List.copyOf(chain);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("the certificate chain is empty");
    }
  }

  /**
   * Reads the pair named by {@code settings} and checks that the key signs what the certificate's
   * public key verifies.
   *
   * @param alias the key manager's name for the pair
   * @throws TlsException naming the file and the problem
   */
  static ServerCertificate load(TlsSettings settings, String alias) {
    List<X509Certificate> chain = Pem.certificates(settings.certificate());
    PrivateKey key = Pem.privateKey(settings.key());
    checkMatch(settings.certificate(), chain.getFirst(), settings.key(), key);
    return new ServerCertificate(chain, key, alias);
  }

  /** The server's certificate, the first of the chain. */
  X509Certificate leaf() {
    return chain.getFirst();
  }

  /** The key manager's key type of the private key: {@code RSA}, {@code EC} or {@code EdDSA}. */
  String keyType() {
    String algorithm = key.getAlgorithm();
    return algorithm.startsWith("Ed") ? "EdDSA" : algorithm;
  }

  /** The subject, serial number and expiry, for log lines. */
  String describe() {
    X509Certificate leaf = leaf();
    return leaf.getSubjectX500Principal().getName()
        + " (serial "
        + leaf.getSerialNumber().toString(16)
        + ", "
        + key.getAlgorithm()
        + ", valid until "
        + leaf.getNotAfter().toInstant()
        + ")";
  }

  /**
   * A warning when the server's certificate is not yet valid, has expired, or expires within {@link
   * #EXPIRY_WARNING} of {@code now}; empty when it is fine.
   */
  Optional<String> expiryWarning(Path file, Instant now) {
    Instant notBefore = leaf().getNotBefore().toInstant();
    Instant notAfter = leaf().getNotAfter().toInstant();
    if (now.isBefore(notBefore)) {
      return Optional.of(
          "the TLS certificate in "
              + file
              + " is not valid before "
              + notBefore
              + "; clients will refuse it");
    }
    if (!now.isBefore(notAfter)) {
      return Optional.of(
          "the TLS certificate in "
              + file
              + " expired on "
              + notAfter
              + "; clients will refuse it until it is renewed");
    }
    Duration left = Duration.between(now, notAfter);
    if (left.compareTo(EXPIRY_WARNING) < 0) {
      return Optional.of(
          "the TLS certificate in "
              + file
              + " expires on "
              + notAfter
              + " (in "
              + left.toDays()
              + " days); renew it, and cache-proxy picks up the new files without a restart");
    }
    return Optional.empty();
  }

  /** Signs random bytes with {@code key} and verifies them with the certificate's public key. */
  private static void checkMatch(
      Path certificateFile, X509Certificate certificate, Path keyFile, PrivateKey key) {
    PublicKey publicKey = certificate.getPublicKey();
    String keyAlgorithm = family(key.getAlgorithm());
    String certificateAlgorithm = family(publicKey.getAlgorithm());
    if (!keyAlgorithm.equals(certificateAlgorithm)) {
      throw mismatch(
          certificateFile,
          keyFile,
          "the key is "
              + key.getAlgorithm()
              + ", the certificate's is "
              + publicKey.getAlgorithm());
    }
    byte[] challenge = new byte[32];
    new SecureRandom().nextBytes(challenge);
    boolean verified;
    try {
      String algorithm = signatureAlgorithm(key);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      verified = verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      throw new TlsException(
          "cannot check that the key in "
              + keyFile
              + " belongs to the certificate in "
              + certificateFile
              + ": "
              + e.getMessage(),
          e);
    }
    if (!verified) {
      throw mismatch(
          certificateFile, keyFile, "it signs what the certificate's key does not verify");
    }
  }

  private static TlsException mismatch(Path certificateFile, Path keyFile, String detail) {
    return new TlsException(
        "the private key in "
            + keyFile
            + " does not belong to the certificate in "
            + certificateFile
            + " ("
            + detail
            + "); give the key the certificate was issued for");
  }

  private static String family(String algorithm) {
    String upper = algorithm.toUpperCase(Locale.ROOT);
    if (upper.startsWith("ED") || upper.equals("EDDSA")) {
      return "EDDSA";
    }
    return upper;
  }

  private static String signatureAlgorithm(PrivateKey key) {
    return switch (family(key.getAlgorithm())) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      default -> key.getAlgorithm();
    };
  }
}
