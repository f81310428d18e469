/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import static dev.cacheproxy.server.it.TestImages.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.events.WebhookTarget;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhooks end to end: a proxy in this JVM in front of the real registry posts its events to a real
 * HTTP receiver that checks every signature. Pulls go on at full speed while the receiver is down,
 * and every event missed meanwhile arrives, in order, once it is back on the same port.
 */
class WebhookIT extends EndToEndTestBase {

  private static final String SECRET = "webhook-it-secret";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration DELIVERY_WAIT = Duration.ofSeconds(60);

  @Test
  void pulls_postSignedEvents_andEventsMissedWhileTheReceiverIsDownArriveLater(@TempDir Path tmp)
      throws Exception {
    String repoA = "it/webhook-a";
    String repoB = "it/webhook-b";
    String repoC = "it/webhook-c";
    TestImages.Image a = pushed(tmp, repoA, 11, 1500, 300_000, 2 * MIB);
    TestImages.Image b = pushed(tmp, repoB, 12, 1700, 400_000);
    TestImages.Image c = pushed(tmp, repoC, 13, 1900, 500_000);
    String registryHost = registry().hostPort();

    Receiver receiver = new Receiver();
    receiver.start(0);
    int port = receiver.port();
    WebhookTarget target =
        new WebhookTarget(
            URI.create("http://127.0.0.1:" + port + "/hooks/cache"), SECRET, Set.of(), 20);
    try (InProcessProxy proxy =
        InProcessProxy.start(
            InProcessProxy.configYaml(registry()), tmp.resolve("data"), List.of(target))) {
      long start = System.nanoTime();
      skopeo().copy(proxy.ref(repoA, "v1"), tmp.resolve("pull-a"));
      Duration firstPull = Duration.ofNanos(System.nanoTime() - start);
      awaitEventsOf(receiver, a, repoA, registryHost);

      receiver.stop();
      int before = receiver.events.size();
      for (var pull : List.of(List.of(repoB, "pull-b"), List.of(repoC, "pull-c"))) {
        long t = System.nanoTime();
        skopeo().copy(proxy.ref(pull.get(0), "v1"), tmp.resolve(pull.get(1)));
        assertThat(Duration.ofNanos(System.nanoTime() - t))
            .as("a pull while the webhook receiver is down (the first took %s)", firstPull)
            .isLessThan(firstPull.multipliedBy(5).plusSeconds(20));
      }
      assertThat(receiver.events).hasSize(before);

      receiver.start(port);
      awaitEventsOf(receiver, b, repoB, registryHost);
      awaitEventsOf(receiver, c, repoC, registryHost);

      List<JsonNode> events = List.copyOf(receiver.events);
      assertThat(receiver.rejected).as("deliveries with a bad signature").isEmpty();
      assertThat(indexOf(events, "tag.updated", repoB))
          .as("in order: %s's events before %s's", repoB, repoC)
          .isLessThan(indexOf(events, "tag.updated", repoC));
    } finally {
      receiver.stop();
    }
  }

  private TestImages.Image pushed(Path tmp, String repo, long seed, long... layerSizes)
      throws IOException {
    TestImages.Image image =
        TestImages.write(tmp.resolve("layout-" + seed), "v1", seed, layerSizes);
    skopeo().push(image.layout(), "v1", registry().ref(repo, "v1"));
    return image;
  }

  /** Waits for the tag.updated of {@code image} and a cache.fill of each of its blobs. */
  private static void awaitEventsOf(
      Receiver receiver, TestImages.Image image, String repo, String registryHost) {
    Poll.until(
        "tag.updated and a cache.fill of every blob of " + repo,
        DELIVERY_WAIT,
        () -> hasEventsOf(receiver.events, image, repo, registryHost),
        () -> "; received: " + receiver.summary() + "; rejected: " + receiver.rejected);
  }

  private static boolean hasEventsOf(
      List<JsonNode> events, TestImages.Image image, String repo, String registryHost) {
    boolean tag = false;
    List<Digest> filled = new ArrayList<>();
    for (JsonNode event : events) {
      JsonNode data = event.get("data");
      if (!repo.equals(data.path("repository").asText())
          || !registryHost.equals(data.path("registry").asText())) {
        continue;
      }
      switch (event.get("type").asText()) {
        case "tag.updated" ->
            tag |=
                data.get("tag").asText().equals("v1")
                    && data.get("current").asText().equals(image.manifest().digest().toString())
                    && data.get("previous").isNull();
        case "cache.fill" -> filled.add(Digest.parse(data.get("digest").asText()));
        default -> {}
      }
    }
    return tag && filled.containsAll(image.blobDigests());
  }

  private static int indexOf(List<JsonNode> events, String type, String repo) {
    for (int i = 0; i < events.size(); i++) {
      JsonNode e = events.get(i);
      if (e.get("type").asText().equals(type)
          && e.get("data").path("repository").asText().equals(repo)) {
        return i;
      }
    }
    return -1;
  }

  /** An HTTP receiver on 127.0.0.1 that checks each delivery's signature and keeps its body. */
  private static final class Receiver {
    final List<JsonNode> events = new CopyOnWriteArrayList<>();
    final List<String> rejected = new CopyOnWriteArrayList<>();
    private volatile @Nullable HttpServer server;

    void start(int port) throws IOException {
      HttpServer s =
          HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 0);
      s.createContext("/hooks/cache", this::handle);
      s.start();
      server = s;
    }

    int port() {
      HttpServer s = server;
      if (s == null) {
        throw new IllegalStateException("not started");
      }
      return s.getAddress().getPort();
    }

    void stop() {
      HttpServer s = server;
      server = null;
      if (s != null) {
        s.stop(0);
      }
    }

    String summary() {
      List<String> lines = new ArrayList<>();
      for (JsonNode e : events) {
        lines.add(e.get("type").asText() + " " + e.get("data").path("repository").asText());
      }
      return lines.toString();
    }

    private void handle(HttpExchange exchange) throws IOException {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      String signature = exchange.getRequestHeaders().getFirst("X-CacheProxy-Signature");
      String type = exchange.getRequestHeaders().getFirst("X-CacheProxy-Event");
      String id = exchange.getRequestHeaders().getFirst("X-CacheProxy-Delivery");
      int status;
      if (signature == null || !signatureValid(signature, body)) {
        rejected.add("bad signature: " + new String(body, StandardCharsets.UTF_8));
        status = 401;
      } else {
        JsonNode event = JSON.readTree(body);
        if (!event.get("type").asText().equals(type) || !event.get("id").asText().equals(id)) {
          rejected.add("headers do not match the body: " + type + " " + id);
        }
        events.add(event);
        status = 204;
      }
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    }

    private static boolean signatureValid(String header, byte[] body) {
      try {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        return MessageDigest.isEqual(
            expected.getBytes(StandardCharsets.US_ASCII),
            header.getBytes(StandardCharsets.US_ASCII));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
