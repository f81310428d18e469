/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.server.logging.LogCapture;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reloading the certificate of a {@link TlsContext} under real TLS handshakes. */
class TlsContextTest {

  @TempDir Path dir;

  private TestCertificates ca;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

  @BeforeEach
  void createCa() throws IOException {
    ca = TestCertificates.createCa(dir.resolve("ca"));
  }

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  @Test
  void checkNow_filesReplaced_nextHandshakeSeesNewCertificate() throws Exception {
    TestCertificates.Issued first = ca.issue("first", "EC", 30);
    TestCertificates.Issued second = ca.issue("second", "RSA", 30);
    TlsSettings settings = install(first, dir.resolve("live"));
    try (TlsContext tls = TlsContext.load(settings, Duration.ofHours(1), Clock.systemUTC());
        LogCapture log = LogCapture.attach()) {
      assertThat(handshakeSerial(tls)).isEqualTo(new BigInteger(first.serial(), 16));
      assertThat(tls.checkNow()).as("nothing changed").isFalse();

      install(second, dir.resolve("live"));

      assertThat(tls.checkNow()).isTrue();
      assertThat(handshakeSerial(tls)).isEqualTo(new BigInteger(second.serial(), 16));
      assertThat(log.lines()).anyMatch(l -> l.contains("TLS certificate reloaded: CN=second"));
    }
  }

  @Test
  void checkNow_badNewPair_keepsOldOneServingAndWarns() throws Exception {
    TestCertificates.Issued first = ca.issue("first", "EC", 30);
    TestCertificates.Issued other = ca.issue("other", "EC", 30);
    TlsSettings settings = install(first, dir.resolve("live"));
    try (TlsContext tls = TlsContext.load(settings, Duration.ofHours(1), Clock.systemUTC());
        LogCapture log = LogCapture.attach()) {
      // a new certificate whose key has not arrived yet
      copy(other.certificate(), settings.certificate());

      assertThat(tls.checkNow()).isFalse();
      assertThat(handshakeSerial(tls)).isEqualTo(new BigInteger(first.serial(), 16));
      assertThat(log.lines())
          .anyMatch(l ->
              l.contains("WARN")
                  && l.contains("old one keeps serving")
                  && l.contains(settings.key().toString())
                  && l.contains("does not belong to the certificate"));

      copy(other.key(), settings.key());

      assertThat(tls.checkNow()).as("the key arrived").isTrue();
      assertThat(handshakeSerial(tls)).isEqualTo(new BigInteger(other.serial(), 16));
    }
  }

  @Test
  void checkNow_symlinkedSecretSwapped_reloads() throws Exception {
    // A Kubernetes secret volume: tls.crt -> ..data/tls.crt, ..data -> a timestamped folder.
    TestCertificates.Issued first = ca.issue("first", "EC", 30);
    TestCertificates.Issued second = ca.issue("second", "EC", 30);
    Path volume = Files.createDirectories(dir.resolve("secret"));
    install(first, volume.resolve("..v1"));
    install(second, volume.resolve("..v2"));
    Path data = Files.createSymbolicLink(volume.resolve("..data"), Path.of("..v1"));
    Files.createSymbolicLink(volume.resolve("tls.crt"), Path.of("..data/tls.crt"));
    Files.createSymbolicLink(volume.resolve("tls.key"), Path.of("..data/tls.key"));
    TlsSettings settings =
        new TlsSettings(volume.resolve("tls.crt"), volume.resolve("tls.key"), true);
    try (TlsContext tls = TlsContext.load(settings, Duration.ofHours(1), Clock.systemUTC())) {
      Path swap = Files.createSymbolicLink(volume.resolve("..data_tmp"), Path.of("..v2"));
      Files.move(swap, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

      assertThat(tls.checkNow()).isTrue();
      assertThat(handshakeSerial(tls)).isEqualTo(new BigInteger(second.serial(), 16));
    }
  }

  @Test
  void start_reloadThread_picksUpNewFilesWithoutBeingAsked() throws Exception {
    TestCertificates.Issued first = ca.issue("first", "EC", 30);
    TestCertificates.Issued second = ca.issue("second", "EC", 30);
    TlsSettings settings = install(first, dir.resolve("live"));
    try (TlsContext tls = TlsContext.start(settings, Duration.ofMillis(50), Clock.systemUTC())) {
      install(second, dir.resolve("live"));

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      BigInteger expected = new BigInteger(second.serial(), 16);
      while (!tls.current().leaf().getSerialNumber().equals(expected)) {
        assertThat(System.nanoTime()).as("reloaded within 30 s").isLessThan(deadline);
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
      assertThat(handshakeSerial(tls)).isEqualTo(expected);
    }
  }

  /** Copies the pair into {@code folder} as tls.crt and tls.key, each replaced by a rename. */
  private static TlsSettings install(TestCertificates.Issued issued, Path folder)
      throws IOException {
    Files.createDirectories(folder);
    Path certificate = folder.resolve("tls.crt");
    Path key = folder.resolve("tls.key");
    copy(issued.certificate(), certificate);
    copy(issued.key(), key);
    return new TlsSettings(certificate, key, true);
  }

  private static void copy(Path from, Path to) throws IOException {
    Path temp = Files.createTempFile(to.getParent(), ".new-", ".tmp");
    Files.copy(from, temp, StandardCopyOption.REPLACE_EXISTING);
    Files.move(temp, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Handshakes with a server socket of {@code tls} and returns the serial the client saw. */
  private BigInteger handshakeSerial(TlsContext tls) throws Exception {
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    try (SSLServerSocket server =
        (SSLServerSocket)
            tls.sslContext().getServerSocketFactory().createServerSocket(0, 1, loopback)) {
      Future<?> accepted =
          executor.submit(() -> {
            try (SSLSocket socket = (SSLSocket) server.accept()) {
              socket.startHandshake();
              socket.getOutputStream().write(1);
              socket.getOutputStream().flush();
            }
            return null;
          });
      try (SSLSocket client =
          (SSLSocket)
              clientContext().getSocketFactory().createSocket(loopback, server.getLocalPort())) {
        client.setSoTimeout(30_000);
        client.startHandshake();
        assertThat(client.getInputStream().read()).isEqualTo(1);
        X509Certificate leaf = (X509Certificate) client.getSession().getPeerCertificates()[0];
        accepted.get(30, TimeUnit.SECONDS);
        return leaf.getSerialNumber();
      }
    }
  }

  private SSLContext clientContext() throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(ca.caCertificate())) {
      trust.setCertificateEntry(
          "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context;
  }
}
