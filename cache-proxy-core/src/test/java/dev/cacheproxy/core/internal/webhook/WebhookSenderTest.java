/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.Tag;
import dev.cacheproxy.core.events.CacheEvent;
import dev.cacheproxy.core.events.WebhookTarget;
import dev.cacheproxy.rules.RepositoryName;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link WebhookSender} against a scripted receiver, with a sleeper that never sleeps. */
class WebhookSenderTest {

  private static final Instant TIME = Instant.parse("2026-01-01T00:00:00Z");
  private static final RepositoryName REPO = RepositoryName.of("library/nginx");
  private static final Digest BLOB = Digest.sha256("layer".getBytes(StandardCharsets.UTF_8));
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(20);

  @StartStop private final MockWebServer receiver = new MockWebServer();

  private final Receiver dispatcher = new Receiver();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
  private final List<WebhookSender> senders = new ArrayList<>();
  private volatile @Nullable Runnable onSleep;

  @AfterEach
  void tearDown() {
    dispatcher.gate.countDown();
    senders.forEach(WebhookSender::close);
  }

  private WebhookSender sender(WebhookTarget target, int capacity) {
    Sleeper sleeper =
        d -> {
          sleeps.add(d);
          Runnable hook = onSleep;
          if (hook != null) {
            hook.run();
          }
        };
    WebhookSender sender =
        new WebhookSender(List.of(target), meters, sleeper, new Random(42), capacity);
    senders.add(sender);
    return sender;
  }

  private WebhookTarget target(@Nullable String secret, int maxAttempts) {
    receiver.setDispatcher(dispatcher);
    return new WebhookTarget(
        URI.create(receiver.url("/hooks/cache").toString()), secret, Set.of(), maxAttempts);
  }

  private static CacheEvent fill(long size) {
    return new CacheEvent.CacheFill(TIME, "registry-1.docker.io", REPO, BLOB, size, "hub");
  }

  private double deliveries(WebhookTarget target, String result) {
    return meters
        .get("cacheproxy.webhook.deliveries")
        .tags("target", target.hostAndPort(), "result", result)
        .counter()
        .count();
  }

  private static JsonNode body(RecordedRequest request) throws IOException {
    return JSON.readTree(request.getBody().toByteArray());
  }

  @Test
  void onEvent_postsSignedJsonWithTheEventHeaders() throws Exception {
    WebhookTarget target = target("s3cret", 3);
    WebhookSender sender = sender(target, 100);

    sender.onEvent(fill(1234));

    RecordedRequest request = receiver.takeRequest(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(request).isNotNull();
    assertThat(request.getMethod()).isEqualTo("POST");
    assertThat(request.getUrl().encodedPath()).isEqualTo("/hooks/cache");
    assertThat(request.getHeaders().get("Content-Type")).startsWith("application/json");
    assertThat(request.getHeaders().get("X-CacheProxy-Event")).isEqualTo("cache.fill");
    JsonNode body = body(request);
    assertThat(request.getHeaders().get("X-CacheProxy-Delivery"))
        .isEqualTo(body.get("id").asText())
        .matches("[0-9a-f-]{36}");
    assertThat(body.get("type").asText()).isEqualTo("cache.fill");
    assertThat(body.get("time").asText()).isEqualTo("2026-01-01T00:00:00Z");
    JsonNode data = body.get("data");
    assertThat(data.get("registry").asText()).isEqualTo("registry-1.docker.io");
    assertThat(data.get("repository").asText()).isEqualTo("library/nginx");
    assertThat(data.get("digest").asText()).isEqualTo(BLOB.toString());
    assertThat(data.get("size").asLong()).isEqualTo(1234);
    assertThat(data.get("rule").asText()).isEqualTo("hub");

    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec("s3cret".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String expected =
        "sha256=" + HexFormat.of().formatHex(mac.doFinal(request.getBody().toByteArray()));
    assertThat(request.getHeaders().get("X-CacheProxy-Signature")).isEqualTo(expected);

    assertThat(sender.awaitIdle(WAIT)).isTrue();
    assertThat(deliveries(target, "delivered")).isEqualTo(1);
  }

  @Test
  void onEvent_withoutSecret_sendsNoSignature() throws Exception {
    WebhookTarget target = target(null, 3);
    WebhookSender sender = sender(target, 100);

    sender.onEvent(
        new CacheEvent.TagUpdated(TIME, "ghcr.io", REPO, Tag.parse("1.27"), null, BLOB, "ghcr"));

    RecordedRequest request = receiver.takeRequest(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(request).isNotNull();
    assertThat(request.getHeaders().get("X-CacheProxy-Signature")).isNull();
    JsonNode data = body(request).get("data");
    assertThat(data.get("tag").asText()).isEqualTo("1.27");
    assertThat(data.get("previous").isNull()).isTrue();
    assertThat(data.get("current").asText()).isEqualTo(BLOB.toString());
  }

  @Test
  void onEvent_eventTypeTheTargetDoesNotWant_isNotSent() throws Exception {
    receiver.setDispatcher(dispatcher);
    WebhookTarget target =
        new WebhookTarget(
            URI.create(receiver.url("/h").toString()), null, Set.of("cache.evict"), 3);
    WebhookSender sender = sender(target, 100);

    sender.onEvent(fill(1));
    sender.onEvent(
        new CacheEvent.CacheEvict(TIME, "ghcr.io", REPO, List.of(BLOB), 2, 300, "purge"));

    RecordedRequest request = receiver.takeRequest(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(request.getHeaders().get("X-CacheProxy-Event")).isEqualTo("cache.evict");
    JsonNode data = body(request).get("data");
    assertThat(data.get("manifests").get(0).asText()).isEqualTo(BLOB.toString());
    assertThat(data.get("reason").asText()).isEqualTo("purge");
    assertThat(sender.awaitIdle(WAIT)).isTrue();
    assertThat(receiver.getRequestCount()).isEqualTo(1);
  }

  @Test
  void delivery_500Then200_retriedOnceWithTheSameDeliveryId() throws Exception {
    dispatcher.statuses.add(500);
    WebhookTarget target = target("k", 5);
    WebhookSender sender = sender(target, 100);

    sender.onEvent(fill(1));

    RecordedRequest first = receiver.takeRequest(WAIT.toSeconds(), TimeUnit.SECONDS);
    RecordedRequest second = receiver.takeRequest(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(sender.awaitIdle(WAIT)).isTrue();
    assertThat(receiver.getRequestCount()).isEqualTo(2);
    assertThat(second.getHeaders().get("X-CacheProxy-Delivery"))
        .isEqualTo(first.getHeaders().get("X-CacheProxy-Delivery"));
    assertThat(second.getBody()).isEqualTo(first.getBody());
    assertThat(sleeps)
        .singleElement()
        .satisfies(d -> assertThat(d).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1)));
    assertThat(deliveries(target, "delivered")).isEqualTo(1);
    assertThat(deliveries(target, "failed")).isZero();
  }

  @Test
  void delivery_failingEveryAttempt_droppedAfterMaxAttemptsThenTheNextEventGoes() throws Exception {
    dispatcher.statuses.addAll(List.of(503, 503, 503));
    WebhookTarget target = target(null, 3);
    WebhookSender sender = sender(target, 100);

    sender.onEvent(fill(1));
    sender.onEvent(fill(2));

    assertThat(sender.awaitIdle(WAIT)).isTrue();
    assertThat(receiver.getRequestCount()).isEqualTo(4);
    assertThat(dispatcher.sizes()).containsExactly(1L, 1L, 1L, 2L);
    assertThat(sleeps).hasSize(2);
    assertThat(sleeps.get(1)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));
    assertThat(deliveries(target, "failed")).isEqualTo(1);
    assertThat(deliveries(target, "delivered")).isEqualTo(1);
  }

  @Test
  void backoff_doublesFromOneSecondToFiveMinutesWithJitter() {
    Random random = new Random(7);
    for (int attempt = 1; attempt <= 30; attempt++) {
      long base = Math.min(1000L << Math.min(attempt - 1, 20), 300_000L);
      assertThat(TargetSender.backoff(attempt, random))
          .isBetween(Duration.ofMillis(base / 2), Duration.ofMillis(base));
    }
  }

  @Test
  void receiverDown_thenUp_everyEventArrivesInOrder() throws Exception {
    int port = freePort();
    WebhookTarget target =
        new WebhookTarget(URI.create("http://127.0.0.1:" + port + "/h"), "k", Set.of(), 100);
    try (MockWebServer late = new MockWebServer()) {
      late.setDispatcher(dispatcher);
      onSleep =
          () -> {
            if (sleeps.size() == 3) {
              try {
                late.start(InetAddress.getByName("127.0.0.1"), port);
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            }
          };
      WebhookSender sender = sender(target, 100);
      for (int i = 0; i < 5; i++) {
        sender.onEvent(fill(i));
      }

      assertThat(sender.awaitIdle(WAIT)).isTrue();
      assertThat(dispatcher.sizes()).containsExactly(0L, 1L, 2L, 3L, 4L);
      assertThat(sleeps).hasSize(3);
      assertThat(deliveries(target, "delivered")).isEqualTo(5);
      assertThat(deliveries(target, "failed")).isZero();
    }
  }

  @Test
  void queueFull_dropsTheOldestAndCountsIt() throws Exception {
    dispatcher.gate = new CountDownLatch(1);
    WebhookTarget target = target(null, 3);
    WebhookSender sender = sender(target, 3);
    sender.onEvent(fill(0));
    assertThat(dispatcher.arrived.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

    for (int i = 1; i <= 10; i++) {
      sender.onEvent(fill(i));
    }

    assertThat(queueGauge(target)).isEqualTo(3);
    assertThat(dropped(target)).isEqualTo(7);
    assertThat(deliveries(target, "dropped")).isEqualTo(7);
    dispatcher.gate.countDown();
    assertThat(sender.awaitIdle(WAIT)).isTrue();
    assertThat(dispatcher.sizes()).containsExactly(0L, 8L, 9L, 10L);
    assertThat(queueGauge(target)).isZero();
  }

  @Test
  void onEvent_receiverStalled_neverWaitsForTheSender() throws Exception {
    dispatcher.gate = new CountDownLatch(1);
    WebhookTarget target = target(null, 3);
    WebhookSender sender = sender(target, WebhookSender.DEFAULT_QUEUE_CAPACITY);
    sender.onEvent(fill(-1));
    assertThat(dispatcher.arrived.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

    // The sender's thread is stuck in the receiver until the gate opens, and the gate opens only
    // after the producer is done: if onEvent ever waited for the sender, the producer would not
    // finish while the gate is closed.
    CountDownLatch produced = new CountDownLatch(1);
    long[] took = new long[1];
    Thread producer =
        Thread.ofPlatform()
            .start(() -> {
              long start = System.nanoTime();
              for (int i = 0; i < 100_000; i++) {
                sender.onEvent(fill(i));
              }
              took[0] = System.nanoTime() - start;
              produced.countDown();
            });
    assertThat(produced.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(dispatcher.gate.getCount()).isEqualTo(1);
    producer.join();
    assertThat(Duration.ofNanos(took[0])).isLessThan(Duration.ofSeconds(5));
    assertThat(queueGauge(target)).isEqualTo(WebhookSender.DEFAULT_QUEUE_CAPACITY);
    assertThat(dropped(target)).isEqualTo(100_000 - WebhookSender.DEFAULT_QUEUE_CAPACITY);

    dispatcher.gate.countDown();
  }

  @Test
  void close_deliversWhatIsQueuedThenRemovesTheGauge() throws Exception {
    WebhookTarget target = target(null, 3);
    WebhookSender sender = sender(target, 100);
    for (int i = 0; i < 3; i++) {
      sender.onEvent(fill(i));
    }

    sender.close();

    assertThat(dispatcher.sizes()).containsExactly(0L, 1L, 2L);
    assertThat(meters.find("cacheproxy.webhook.queue").gauge()).isNull();
    sender.onEvent(fill(9));
    assertThat(receiver.getRequestCount()).isEqualTo(3);
  }

  private double queueGauge(WebhookTarget target) {
    return meters
        .get("cacheproxy.webhook.queue")
        .tags("target", target.hostAndPort())
        .gauge()
        .value();
  }

  private double dropped(WebhookTarget target) {
    return meters
        .get("cacheproxy.webhook.dropped")
        .tags("target", target.hostAndPort())
        .counter()
        .count();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }

  /** Answers with the scripted statuses, then 200; can hold every request at a gate. */
  private static final class Receiver extends Dispatcher {
    final LinkedBlockingQueue<Integer> statuses = new LinkedBlockingQueue<>();
    final List<byte[]> bodies = new CopyOnWriteArrayList<>();
    final CountDownLatch arrived = new CountDownLatch(1);
    volatile CountDownLatch gate = new CountDownLatch(0);

    @Override
    public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
      bodies.add(request.getBody().toByteArray());
      arrived.countDown();
      gate.await(60, TimeUnit.SECONDS);
      Integer status = statuses.poll();
      return new MockResponse.Builder().code(status == null ? 200 : status).build();
    }

    /** The {@code size} of each fill received, in order. */
    List<Long> sizes() throws IOException {
      List<Long> sizes = new ArrayList<>();
      for (byte[] body : bodies) {
        sizes.add(JSON.readTree(body).get("data").get("size").asLong());
      }
      return sizes;
    }
  }
}
