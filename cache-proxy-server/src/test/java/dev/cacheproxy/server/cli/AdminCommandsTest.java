/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code cache-proxy warm} and {@code cache-proxy purge} against a stub admin listener (the JDK's
 * HTTP server) that answers with scripted JSON and records the requests.
 */
class AdminCommandsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private HttpServer server;
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<JsonNode> bodies = new CopyOnWriteArrayList<>();

  /** The answers of {@code GET /admin/warm/j1}, in turn; the last one repeats. */
  private final Deque<String> jobStates = new ArrayDeque<>();

  private int warmStatus = 202;
  private String warmAnswer = "";
  private int purgeStatus = 200;
  private String purgeAnswer = "";
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/admin/", this::answer);
    server.start();
    warmAnswer = job("running", 0, 0, "null", "null");
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private synchronized void answer(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    requests.add(exchange.getRequestMethod() + " " + path);
    byte[] in = exchange.getRequestBody().readAllBytes();
    if (in.length > 0) {
      bodies.add(JSON.readTree(in));
    }
    int status;
    String body;
    if (path.equals("/admin/warm")) {
      status = warmStatus;
      body = warmAnswer;
    } else if (path.equals("/admin/warm/j1")) {
      status = 200;
      body = jobStates.size() > 1 ? jobStates.poll() : jobStates.peek();
    } else if (path.equals("/admin/purge")) {
      status = purgeStatus;
      body = purgeAnswer;
    } else {
      status = 404;
      body = error("NAME_UNKNOWN", "unknown path");
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  private static String job(
      String status, long blobsDone, long bytesDone, String report, String e) {
    return "{\"id\":\"j1\",\"image\":\"hub/library/nginx:1.27\",\"platforms\":[],\"status\":\""
        + status
        + "\",\"blobsDone\":"
        + blobsDone
        + ",\"blobsTotal\":3,\"bytesDone\":"
        + bytesDone
        + ",\"bytesTotal\":3145728,\"report\":"
        + report
        + ",\"error\":"
        + e
        + ",\"startedAt\":\"2026-01-01T00:00:00Z\",\"endedAt\":null}";
  }

  private static String error(String code, String message) {
    return "{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}]}";
  }

  private int run(String... args) {
    return ServeCommand.commandLine(
            new ServeCommand(running -> {
              throw new AssertionError("the server must not start");
            }),
            new PrintWriter(out, true),
            new PrintWriter(err, true))
        .execute(args);
  }

  private String out() {
    return out.toString().replace(System.lineSeparator(), "\n");
  }

  private String err() {
    return err.toString().replace(System.lineSeparator(), "\n");
  }

  /** A port nothing listens on. */
  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  // ---- warm

  @Test
  void warm_followsTheJob_untilDone_andPrintsASummary() {
    jobStates.add(job("running", 1, 1048576, "null", "null"));
    jobStates.add(
        job(
            "done",
            3,
            3145728,
            "{\"blobs\":3,\"blobsFetched\":2,\"bytes\":3145728,\"bytesFetched\":2097152,"
                + "\"tookMillis\":1500}",
            "null"));

    int code = run("warm", "hub/library/nginx:1.27", "--platform", "linux/amd64", "--admin", url());

    assertThat(code).isZero();
    assertThat(out())
        .isEqualTo(
            "warmed hub/library/nginx:1.27: fetched 2 of 3 blobs (2.0 MiB of 3.0 MiB) in 1.5 s\n");
    assertThat(requests)
        .containsExactly("POST /admin/warm", "GET /admin/warm/j1", "GET /admin/warm/j1");
    assertThat(bodies.getFirst().toString())
        .isEqualTo("{\"image\":\"hub/library/nginx:1.27\",\"platforms\":[\"linux/amd64\"]}");
  }

  @Test
  void warm_everythingCachedAlready_saysSo() {
    jobStates.add(
        job(
            "done",
            3,
            3145728,
            "{\"blobs\":3,\"blobsFetched\":0,\"bytes\":3145728,\"bytesFetched\":0,"
                + "\"tookMillis\":20}",
            "null"));

    assertThat(run("warm", "hub/library/nginx:1.27", "--admin", url())).isZero();
    assertThat(out())
        .isEqualTo(
            "warmed hub/library/nginx:1.27: all 3 blobs (3.0 MiB) were cached already, in 0.0 s\n");
  }

  @Test
  void warm_failedJob_exits1_withTheError() {
    jobStates.add(job("failed", 0, 0, "null", "\"manifest unknown: nginx:9\""));

    int code = run("warm", "hub/library/nginx:9", "--admin", url());

    assertThat(code).isEqualTo(1);
    assertThat(err())
        .contains("cache-proxy: warming hub/library/nginx:1.27 failed: manifest unknown: nginx:9");
  }

  @Test
  void warm_noWait_printsTheJob_andExits0() {
    int code = run("warm", "hub/library/nginx:1.27", "--admin", url() + "/", "--no-wait");

    assertThat(code).isZero();
    assertThat(out())
        .isEqualTo("warming hub/library/nginx:1.27: job j1, " + url() + "/admin/warm/j1\n");
    assertThat(requests).containsExactly("POST /admin/warm");
  }

  @Test
  void warm_refusedImage_exits2_withTheServersMessage() {
    warmStatus = 400;
    warmAnswer = error("NAME_INVALID", "invalid repository name 'Hub'");

    int code = run("warm", "Hub", "--admin", url());

    assertThat(code).isEqualTo(2);
    assertThat(err()).isEqualTo("cache-proxy: invalid repository name 'Hub'\n");
  }

  @Test
  void warm_unreachableAdminListener_exits2_namingTheUrl() throws IOException {
    String closed = "http://127.0.0.1:" + closedPort();

    int code = run("warm", "hub/library/nginx:1.27", "--admin", closed);

    assertThat(code).isEqualTo(2);
    assertThat(err()).startsWith("cache-proxy: cannot reach the admin listener at " + closed);
  }

  @Test
  void warm_badAdminUrl_isAUsageError() {
    int code = run("warm", "hub/library/nginx:1.27", "--admin", "ftp://host");

    assertThat(code).isEqualTo(2);
    assertThat(err()).contains("--admin ftp://host is not an http:// URL");
    assertThat(requests).isEmpty();
  }

  @Test
  void warm_withoutImage_isAUsageError() {
    assertThat(run("warm", "--admin", url())).isEqualTo(2);
    assertThat(err()).contains("Missing required parameter: 'IMAGE'");
  }

  // ---- purge

  @Test
  void purge_tag_sendsNameAndReference_andPrintsTheReport() {
    purgeAnswer =
        "{\"target\":\"docker.io/library/nginx:1.27\",\"manifests\":2,\"tags\":1,\"blobs\":7,"
            + "\"bytes\":3145728}";

    int code = run("purge", "hub/library/nginx:1.27", "--admin", url());

    assertThat(code).isZero();
    assertThat(out())
        .isEqualTo("purged docker.io/library/nginx:1.27: 2 manifests, 1 tag, 7 blobs (3.0 MiB)\n");
    assertThat(bodies.getFirst().toString())
        .isEqualTo("{\"repository\":\"hub/library/nginx\",\"reference\":\"1.27\"}");
  }

  @Test
  void purge_digestOrBareName() {
    purgeAnswer =
        "{\"target\":\"docker.io/library/nginx\",\"manifests\":0,\"tags\":0,\"blobs\":0,"
            + "\"bytes\":0}";
    String digest = "sha256:" + "a".repeat(64);

    assertThat(run("purge", "hub/library/nginx@" + digest, "--admin", url())).isZero();
    assertThat(run("purge", "hub/library/nginx", "--admin", url())).isZero();

    assertThat(bodies.get(0).toString())
        .isEqualTo("{\"repository\":\"hub/library/nginx\",\"reference\":\"" + digest + "\"}");
    assertThat(bodies.get(1).toString()).isEqualTo("{\"repository\":\"hub/library/nginx\"}");
    assertThat(out())
        .contains("purged docker.io/library/nginx: 0 manifests, 0 tags, 0 blobs (0 B)");
  }

  @Test
  void purge_unroutedName_exits1() {
    purgeStatus = 404;
    purgeAnswer = error("NAME_UNKNOWN", "no rule matches nope/app");

    assertThat(run("purge", "nope/app:1", "--admin", url())).isEqualTo(1);
    assertThat(err()).isEqualTo("cache-proxy: no rule matches nope/app\n");
  }

  @Test
  void purge_invalidName_isAUsageError_withoutAsking() {
    assertThat(run("purge", "Nope/App:1", "--admin", url())).isEqualTo(2);
    assertThat(err()).contains("invalid repository name 'Nope/App'");
    assertThat(requests).isEmpty();
  }

  @Test
  void purge_unreachable_exits2() throws IOException {
    String closed = "http://127.0.0.1:" + closedPort();

    assertThat(run("purge", "hub/library/nginx:1.27", "--admin", closed)).isEqualTo(2);
    assertThat(err()).startsWith("cache-proxy: cannot reach the admin listener at " + closed);
  }

  @Test
  void help_listsTheNewCommands() {
    run("--help");

    assertThat(out()).contains("warm").contains("purge");
  }
}
