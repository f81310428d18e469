/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import static dev.cacheproxy.server.it.TestImages.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cacheproxy.core.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sends the {@link HostileRequests} table raw over sockets to the packaged jar (so the registry
 * listener's real Undertow options apply) in front of a real registry, checks each answer's status
 * and OCI error code, and shows that the proxy keeps serving normal pulls throughout: between the
 * rows, while the rows run concurrently with a skopeo pull, and while slow clients hold half-sent
 * requests open.
 *
 * <p>No answer may be a 500, and none may show a stack trace or a Java class name.
 */
class HostileInputIT extends EndToEndTestBase {

  private static final String REPO = "it/hostile";
  private static final String PROXIED = InProcessProxy.PREFIX + REPO;
  private static final String TAG = "v1";
  private static final Duration ROW_TIMEOUT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What no answer may contain: traces and class names of the proxy, the JDK or its libraries. */
  private static final List<String> LEAKS =
      List.of(
          "Exception",
          "at dev.cacheproxy",
          "dev.cacheproxy.",
          "java.lang",
          "io.undertow.",
          "org.xnio",
          "\tat ");

  @Test
  void hostileRequests_getTheirStatusAndCode_andNormalPullsGoOn(@TempDir Path tmp)
      throws Exception {
    TestImages.Image image = pushImage(tmp);
    try (JarProxy proxy = JarProxy.start(tmp.resolve("proxy"), yaml())) {
      HostileRequests table = table(image);
      List<HostileRequests.Row> rows = table.rows();
      assertThat(rows).as("rows in the table").hasSizeGreaterThanOrEqualTo(50);
      List<String> failures = new ArrayList<>();
      StringBuilder report = new StringBuilder();
      for (int i = 0; i < rows.size(); i++) {
        HostileRequests.Row row = rows.get(i);
        RawHttp.Response response = send(proxy, row.request());
        report.append(String.format("%-3d %-60s %-30s %s%n", i, row, row.expected(), response));
        check(row, response, failures);
        if (i % 10 == 9) {
          pullAndVerify(proxy, image);
        }
      }
      System.out.println("hostile requests against the proxy:\n" + report);
      assertThat(failures).as("rows whose answer was wrong%s", proxy.logTail()).isEmpty();

      pullAndVerify(proxy, image);
      Path pulled = tmp.resolve("pulled");
      skopeo().copy(proxy.ref(PROXIED, TAG), pulled);
      assertThat(Digest.sha256(Files.readAllBytes(pulled.resolve("manifest.json"))))
          .isEqualTo(image.manifest().digest());
      assertNoErrorLogged(proxy);
    }
  }

  @Test
  void hostileRequests_concurrentWithPulls_doNotDisturbThem(@TempDir Path tmp) throws Exception {
    TestImages.Image image = pushImage(tmp);
    try (JarProxy proxy = JarProxy.start(tmp.resolve("proxy"), yaml())) {
      List<HostileRequests.Row> rows = table(image).rows();
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        Future<?> pull =
            pool.submit(() -> skopeo().copy(proxy.ref(PROXIED, TAG), tmp.resolve("c")));
        List<Future<RawHttp.Response>> answers = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
          for (HostileRequests.Row row : rows) {
            answers.add(pool.submit(() -> send(proxy, row.request())));
          }
        }
        Future<?> plain = pool.submit(() -> pullAndVerify(proxy, image));
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
          check(rows.get(i % rows.size()), answers.get(i).get(60, TimeUnit.SECONDS), failures);
        }
        pull.get(5, TimeUnit.MINUTES);
        plain.get(2, TimeUnit.MINUTES);
        assertThat(failures).as("rows answered wrongly under concurrency").isEmpty();
      } finally {
        pool.shutdownNow();
      }
      pullAndVerify(proxy, image);
      assertNoErrorLogged(proxy);
    }
  }

  @Test
  void slowClients_holdingHalfARequest_doNotBlockOthers(@TempDir Path tmp) throws Exception {
    TestImages.Image image = pushImage(tmp);
    try (JarProxy proxy = JarProxy.start(tmp.resolve("proxy"), yaml())) {
      List<Socket> stalled = new ArrayList<>();
      try {
        for (int i = 0; i < 64; i++) {
          Socket socket = new Socket();
          socket.connect(new InetSocketAddress("127.0.0.1", port(proxy)), 2000);
          OutputStream out = socket.getOutputStream();
          // Half a request line, half a header block, or a promised body that never comes.
          String partial =
              switch (i % 3) {
                case 0 -> "GET /v2/" + PROXIED + "/mani";
                case 1 -> "GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
                default ->
                    "PUT /v2/x/manifests/v1 HTTP/1.1\r\nHost: a\r\nContent-Length: 9999\r\n\r\n{";
              };
          out.write(partial.getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          stalled.add(socket);
        }
        long start = System.nanoTime();
        pullAndVerify(proxy, image);
        skopeo().copy(proxy.ref(PROXIED, TAG), tmp.resolve("while-stalled"));
        assertThat(send(proxy, HostileRequests.request("GET /v2/")).status()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - start))
            .as("normal pulls while 64 clients stall")
            .isLessThan(Duration.ofSeconds(60));
        assertThat(stalled)
            .as("the stalled clients are still connected")
            .noneMatch(Socket::isClosed);
      } finally {
        for (Socket socket : stalled) {
          socket.close();
        }
      }
    }
  }

  // --- helpers

  private static TestImages.Image pushImage(Path tmp) throws IOException {
    TestImages.Image image = TestImages.write(tmp.resolve("layout"), TAG, 8001, 4096, 2 * MIB);
    skopeo().push(image.layout(), TAG, registry().ref(REPO, TAG));
    return image;
  }

  private static String yaml() {
    return InProcessProxy.configYaml(registry());
  }

  private static HostileRequests table(TestImages.Image image) {
    OciLayout.Descriptor layer = image.layers().get(image.layers().size() - 1);
    return new HostileRequests(PROXIED, TAG, layer.digest(), layer.size());
  }

  private static int port(JarProxy proxy) {
    String ref = proxy.ref("x", "y");
    String hostPort = ref.substring("docker://".length(), ref.indexOf('/', "docker://".length()));
    return Integer.parseInt(hostPort.substring(hostPort.indexOf(':') + 1));
  }

  private static RawHttp.Response send(JarProxy proxy, byte[] request) throws IOException {
    return RawHttp.exchange(port(proxy), request, ROW_TIMEOUT);
  }

  /** Checks one answer against its row, adding a line to {@code failures} for each problem. */
  private static void check(
      HostileRequests.Row row, RawHttp.Response response, List<String> failures) {
    HostileRequests.Expected expected = row.expected();
    String what = row + ": expected " + expected + ", got " + response;
    if (response.status() == -2) {
      failures.add(what);
      return;
    }
    if (response.closedWithoutResponse()) {
      if (!expected.mayClose()) {
        failures.add(what);
      }
      return;
    }
    if (response.status() >= 500 || !expected.statuses().contains(response.status())) {
      failures.add(what);
    }
    for (String leak : LEAKS) {
      if (response.everything().contains(leak)) {
        failures.add(row + ": the answer shows '" + leak + "': " + response.everything());
      }
    }
    if (response.header("X-Injected").isPresent()) {
      failures.add(row + ": a header was injected");
    }
    if (expected.code() != null) {
      String code = ociCode(response);
      if (!expected.code().name().equals(code)) {
        failures.add(row + ": expected code " + expected.code() + ", got " + response);
      }
    }
    if (response.status() == 416
        && !response.header("Content-Range").orElse("").matches("bytes \\*/[0-9]+")) {
      failures.add(row + ": a 416 without Content-Range: bytes */size");
    }
  }

  private static String ociCode(RawHttp.Response response) {
    try {
      JsonNode body = JSON.readTree(response.body());
      return body == null ? "" : body.path("errors").path(0).path("code").asText("");
    } catch (IOException e) {
      return "";
    }
  }

  /** GETs the manifest and every blob through the proxy and checks their digests. */
  private static void pullAndVerify(JarProxy proxy, TestImages.Image image) {
    try {
      HttpResponse<byte[]> manifest = proxy.getManifest(PROXIED, TAG);
      assertThat(manifest.statusCode()).as("manifest GET%s", proxy.logTail()).isEqualTo(200);
      assertThat(Digest.sha256(manifest.body())).isEqualTo(image.manifest().digest());
      for (Digest digest : image.blobDigests()) {
        HttpResponse<InputStream> blob = proxy.openBlob(PROXIED, digest);
        try (InputStream in = blob.body()) {
          assertThat(blob.statusCode()).as("blob %s", digest).isEqualTo(200);
          MessageDigest sha = MessageDigest.getInstance("SHA-256");
          byte[] buffer = new byte[64 * 1024];
          for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            sha.update(buffer, 0, n);
          }
          assertThat(HexFormat.of().formatHex(sha.digest())).isEqualTo(digest.hex());
        }
      }
    } catch (IOException | java.security.NoSuchAlgorithmException e) {
      throw new AssertionError("a normal pull failed" + proxy.logTail(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** The proxy logged no error: a 500 or an unexpected exception would have. */
  private static void assertNoErrorLogged(JarProxy proxy) throws IOException {
    assertThat(proxy.process().output().lines().filter(l -> l.contains(" ERROR ")))
        .as("ERROR lines in the proxy's log")
        .isEmpty();
  }
}
