/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** PEM certificates and keys made by the real {@code openssl}, read by {@link Pem}. */
class ServerCertificateTest {

  @TempDir static Path dir;

  private static TestCertificates ca;
  private static TestCertificates.Issued rsa;
  private static TestCertificates.Issued ec;

  @BeforeAll
  static void createCa() throws Exception {
    ca = TestCertificates.createCa(dir.resolve("ca"));
    rsa = ca.issue("rsa", "RSA", 10);
    ec = ca.issue("ec", "EC", 30);
  }

  @ParameterizedTest
  @ValueSource(strings = {"RSA", "EC", "ED25519"})
  void load_pkcs8KeyOfEachAlgorithm_loadsChainAndKey(String algorithm) throws Exception {
    TestCertificates.Issued issued = ca.issue("server-" + algorithm, algorithm, 30);

    ServerCertificate pair = load(issued.certificate(), issued.key());

    assertThat(pair.chain()).hasSize(2);
    assertThat(pair.leaf().getSerialNumber().toString(16)).isEqualToIgnoringCase(issued.serial());
    assertThat(pair.describe()).contains("CN=server-" + algorithm);
    assertThat(pair.keyType()).isEqualTo(algorithm.equals("ED25519") ? "EdDSA" : algorithm);
  }

  @Test
  void load_traditionalRsaKey_explainsConversion() throws Exception {
    Path traditional = ca.traditional(rsa.key(), "RSA");
    assertThat(Files.readString(traditional)).contains("BEGIN RSA PRIVATE KEY");

    assertThatThrownBy(() -> load(rsa.certificate(), traditional))
        .isInstanceOf(TlsException.class)
        .hasMessageContaining(traditional.toString())
        .hasMessageContaining("RSA PRIVATE KEY")
        .hasMessageContaining(Pem.CONVERT);
  }

  @Test
  void load_traditionalEcKey_explainsConversion() throws Exception {
    Path traditional = ca.traditional(ec.key(), "EC");

    assertThatThrownBy(() -> load(ec.certificate(), traditional))
        .isInstanceOf(TlsException.class)
        .hasMessageContaining("EC PRIVATE KEY")
        .hasMessageContaining(Pem.CONVERT);
  }

  @Test
  void load_encryptedKey_explainsConversion() throws Exception {
    Path encrypted = ca.encrypted(rsa.key());

    assertThatThrownBy(() -> load(rsa.certificate(), encrypted))
        .isInstanceOf(TlsException.class)
        .hasMessageContaining("encrypted")
        .hasMessageContaining(Pem.CONVERT);
  }

  @Test
  void load_keyOfAnotherCertificate_refusesMismatch() {
    assertThatThrownBy(() -> load(rsa.certificate(), ec.key()))
        .isInstanceOf(TlsException.class)
        .hasMessageContaining("does not belong to the certificate in " + rsa.certificate());
  }

  @Test
  void load_keyOfAnotherCertificateSameAlgorithm_refusesMismatch() throws Exception {
    TestCertificates.Issued other = ca.issue("other-rsa", "RSA", 30);

    assertThatThrownBy(() -> load(rsa.certificate(), other.key()))
        .isInstanceOf(TlsException.class)
        .hasMessageContaining("does not belong to the certificate")
        .hasMessageContaining("signs what the certificate's key does not verify");
  }

  @Test
  void load_certificateAndKeySwapped_saysWhichIsWhich() {
    assertThatThrownBy(() -> load(rsa.key(), rsa.certificate()))
        .isInstanceOf(TlsException.class)
        .hasMessageContaining(rsa.key() + " holds a private key, not a certificate");
  }

  @Test
  void load_missingFile_namesIt() {
    Path missing = dir.resolve("missing.crt");

    assertThatThrownBy(() -> load(missing, rsa.key()))
        .isInstanceOf(TlsException.class)
        .hasMessage(missing + " does not exist");
  }

  @Test
  void load_notPem_saysWhatIsExpected() throws Exception {
    Path garbage = Files.writeString(dir.resolve("garbage.pem"), "hello\n");

    assertThatThrownBy(() -> load(rsa.certificate(), garbage))
        .isInstanceOf(TlsException.class)
        .hasMessageContaining("BEGIN PRIVATE KEY");
    assertThatThrownBy(() -> load(garbage, rsa.key()))
        .isInstanceOf(TlsException.class)
        .hasMessageContaining("holds no PEM certificate");
  }

  @Test
  void expiryWarning_tenDaysLeft_warnsWithDate() {
    ServerCertificate pair = load(rsa.certificate(), rsa.key());
    Instant notAfter = pair.leaf().getNotAfter().toInstant();

    assertThat(pair.expiryWarning(rsa.certificate(), Instant.now()))
        .hasValueSatisfying(w -> assertThat(w).contains("expires on " + notAfter));
    assertThat(pair.expiryWarning(rsa.certificate(), notAfter.plusSeconds(1)))
        .hasValueSatisfying(w -> assertThat(w).contains("expired on " + notAfter));
  }

  @Test
  void expiryWarning_moreThanFourteenDaysLeft_none() {
    ServerCertificate pair = load(ec.certificate(), ec.key());

    Instant notAfter = pair.leaf().getNotAfter().toInstant();

    assertThat(pair.expiryWarning(ec.certificate(), Instant.now())).isEmpty();
    assertThat(pair.expiryWarning(ec.certificate(), notAfter.minus(Duration.ofDays(15)))).isEmpty();
    assertThat(pair.expiryWarning(ec.certificate(), notAfter.minus(Duration.ofDays(13))))
        .isPresent();
  }

  private static ServerCertificate load(Path certificate, Path key) {
    return ServerCertificate.load(new TlsSettings(certificate, key, true), "test");
  }
}
