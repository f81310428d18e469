/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import static dev.cacheproxy.server.it.TestImages.MIB;
import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cacheproxy.core.Digest;
import dev.cacheproxy.server.transport.TestCertificates;
import dev.cacheproxy.server.transport.TlsContext;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar serving TLS from PEM files signed by a private CA: skopeo pulls through it with
 * the CA, curl negotiates HTTP/2 and gets blobs and ranges intact, plain HTTP fails cleanly, and a
 * replaced certificate serves new connections without a restart.
 */
class TlsIT extends EndToEndTestBase {

  private static final String REPO = "it/tls";
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @Test
  void tlsListener_pullsHttp2RangesAndReloadsCertificate(@TempDir Path tmp) throws Exception {
    TestImages.Image image = TestImages.write(tmp.resolve("layout"), "v1", 7301, 1500, 24 * MIB);
    skopeo().push(image.layout(), "v1", registry().ref(REPO, "v1"));
    TestCertificates ca = TestCertificates.createCa(tmp.resolve("ca"));
    TestCertificates.Issued first = ca.issue("first", "EC", 30);
    Path live = Files.createDirectories(tmp.resolve("tls"));
    install(first, live);
    Path certDir = Files.createDirectories(tmp.resolve("certs.d"));
    Files.copy(ca.caCertificate(), certDir.resolve("ca.crt"));
    CommandRunner curl = new CommandRunner("curl", tmp.resolve("curl"), Map.of(), () -> "");

    int port = FreePorts.find();
    Path proxyDir = Files.createDirectories(tmp.resolve("proxy"));
    Path config = proxyDir.resolve("proxy.yml");
    Files.writeString(
        config,
        """
        tls:
          certificate: %s
          key: %s
        rules:
          - name: upstream
            target: "up/*"
            source: "http://%s/*"
            tagFreshness: 0s
        """
            .formatted(live.resolve("tls.crt"), live.resolve("tls.key"), registry().hostPort()));
    try (JarIT.JarProcess jar =
        JarIT.JarProcess.start(
            proxyDir,
            // env execs the JVM, so the process is still the JVM's
            List.of("env", "JAVA_TOOL_OPTIONS=-D" + TlsContext.RELOAD_PROPERTY + "=250"),
            "--config",
            config.toString(),
            "--port",
            Integer.toString(port),
            "--data-dir",
            proxyDir.resolve("data").toString(),
            "--bind-address",
            "127.0.0.1")) {
      String base = "https://127.0.0.1:" + port;
      HttpClient https = client(ca.caCertificate());
      Poll.until(
          "GET " + base + "/v2/ answers 200 over TLS",
          TIMEOUT,
          () -> status(https, base + "/v2/") == 200,
          jar::logTail);

      // skopeo verifies the certificate with the CA of --src-cert-dir
      Path pulled = tmp.resolve("pulled");
      skopeo()
          .run(
              List.of(
                  "copy",
                  "--retry-times",
                  "0",
                  "--src-cert-dir",
                  certDir.toString(),
                  "docker://127.0.0.1:" + port + "/up/" + REPO + ":v1",
                  "dir:" + pulled))
          .requireSuccess();
      PulledImage.assertIdentical(image, pulled);

      // warm blob over HTTP/2 and over HTTP/1.1 (zero-copy below TLS), whole and a range
      Digest layer = image.layers().getLast().digest();
      Path layerFile = image.layout().resolve("blobs/sha256").resolve(layer.hex());
      String blobUrl = base + "/v2/up/" + REPO + "/blobs/" + layer;
      for (String version : List.of("--http2", "--http1.1")) {
        Path body = tmp.resolve("blob" + version);
        CommandRunner.Result result =
            curl.run(
                    curl(
                        ca,
                        version,
                        "-o",
                        body.toString(),
                        "-w",
                        "%{http_version} %{http_code}",
                        blobUrl),
                    TIMEOUT)
                .requireSuccess();
        assertThat(result.stdout())
            .as("curl %s", version)
            .isEqualTo(version.equals("--http2") ? "2 200" : "1.1 200");
        assertThat(Digest.sha256(Files.readAllBytes(body))).isEqualTo(layer);

        Path range = tmp.resolve("range" + version);
        CommandRunner.Result ranged =
            curl.run(
                    curl(
                        ca,
                        version,
                        "-r",
                        "1000000-3000000",
                        "-o",
                        range.toString(),
                        "-w",
                        "%{http_version} %{http_code}",
                        blobUrl),
                    TIMEOUT)
                .requireSuccess();
        assertThat(ranged.stdout()).endsWith(" 206");
        assertThat(Files.readAllBytes(range))
            .isEqualTo(Arrays.copyOfRange(Files.readAllBytes(layerFile), 1_000_000, 3_000_001));
      }

      // plain HTTP to the TLS port fails at once, and the listener goes on serving TLS
      CommandRunner.Result plain =
          curl.run(
              List.of(
                  "curl",
                  "-sS",
                  "--noproxy",
                  "*",
                  "--max-time",
                  "20",
                  "-o",
                  "/dev/null",
                  "-w",
                  "%{http_code}",
                  "http://127.0.0.1:" + port + "/v2/"),
              TIMEOUT);
      assertThat(plain.exitCode()).as(plain.describe("plain HTTP")).isNotZero().isNotEqualTo(28);
      assertThat(status(https, base + "/v2/")).isEqualTo(200);

      // a renewed certificate serves new connections within the reload interval
      assertThat(serial(ca.caCertificate(), base)).isEqualTo(new BigInteger(first.serial(), 16));
      long pid = jar.pid();
      int mark = jar.outputMark();
      TestCertificates.Issued second = ca.issue("second", "RSA", 30);
      install(second, live);
      BigInteger expected = new BigInteger(second.serial(), 16);
      AtomicReference<BigInteger> seen = new AtomicReference<>();
      Poll.until(
          "a new connection sees serial " + expected.toString(16),
          Duration.ofSeconds(30),
          () -> {
            seen.set(serial(ca.caCertificate(), base));
            return expected.equals(seen.get());
          },
          () -> " (last seen " + seen.get() + ")" + jar.logTail());
      assertThat(jar.awaitOutput(mark, "TLS certificate reloaded", TIMEOUT)).contains("CN=second");
      assertThat(jar.pid()).isEqualTo(pid);
      assertThat(jar.isAlive()).isTrue();
    }
  }

  private static List<String> curl(TestCertificates ca, String version, String... args) {
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                "curl",
                "-sS",
                "--fail",
                "--noproxy",
                "*",
                "--max-time",
                "120",
                version,
                "--cacert",
                ca.caCertificate().toString()));
    command.addAll(List.of(args));
    return command;
  }

  /** Copies the pair to {@code folder}/tls.crt and tls.key, each replaced by a rename. */
  private static void install(TestCertificates.Issued issued, Path folder) throws IOException {
    replace(issued.certificate(), folder.resolve("tls.crt"));
    replace(issued.key(), folder.resolve("tls.key"));
  }

  private static void replace(Path from, Path to) throws IOException {
    Path temp = Files.createTempFile(to.getParent(), ".new-", ".tmp");
    Files.copy(from, temp, REPLACE_EXISTING);
    Files.move(temp, to, ATOMIC_MOVE, REPLACE_EXISTING);
  }

  private static int status(HttpClient client, String url) {
    try {
      return client
          .send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The serial of the certificate a new connection (a new client, no session reuse) sees. */
  private static BigInteger serial(Path caCertificate, String base) {
    try (HttpClient fresh = client(caCertificate)) {
      HttpResponse<Void> response =
          fresh.send(
              HttpRequest.newBuilder(URI.create(base + "/v2/"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      X509Certificate leaf =
          (X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0];
      return leaf.getSerialNumber();
    } catch (Exception e) {
      throw new AssertionError("TLS request to " + base + " failed", e);
    }
  }

  /** An HTTP/1.1 client that trusts only the test CA. */
  private static HttpClient client(Path caCertificate) {
    try {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      try (InputStream in = Files.newInputStream(caCertificate)) {
        trust.setCertificateEntry(
            "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .sslContext(context)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
    } catch (Exception e) {
      throw new AssertionError("cannot trust " + caCertificate, e);
    }
  }
}
