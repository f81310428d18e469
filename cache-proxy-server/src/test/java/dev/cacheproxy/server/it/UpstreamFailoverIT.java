/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import static dev.cacheproxy.server.it.TestImages.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registry listed with two endpoints, a "regional mirror" first and the origin second: pulls go
 * through the mirror while it works and fail over to the origin when it dies, whose circuit then
 * opens. The mirror is a relay ({@link FaultyTcpProxy} without faults) in front of the real
 * registry, so both endpoints serve the same content and the relay counts what went through it.
 */
class UpstreamFailoverIT extends EndToEndTestBase {

  private static final String REPO = "it/failover";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void mirrorEndpointDies_pullsFailOverToTheOrigin_andItsCircuitOpens(@TempDir Path tmp)
      throws Exception {
    TestImages.Image first =
        TestImages.write(tmp.resolve("layout-first"), "first", 8101, 2048, 2 * MIB);
    TestImages.Image second =
        TestImages.write(tmp.resolve("layout-second"), "second", 8102, 2048, 3 * MIB);
    skopeo().push(first.layout(), "first", registry().ref(REPO, "first"));
    skopeo().push(second.layout(), "second", registry().ref(REPO, "second"));
    String origin = registry().hostPort();

    try (FaultyTcpProxy mirror =
        FaultyTcpProxy.start(registry().port(), 0, FaultyTcpProxy.Faults.none())) {
      String yaml =
          """
          server:
            bindAddress: 127.0.0.1
          registries:
            "%s":
              urls: ["http://%s", "http://%s"]
          upstream:
            circuitBreaker:
              minimumCalls: 2
              window: 4
              openFor: 10m
          rules:
            - name: upstream
              target: "up/*"
              source: "%s/*"
              tagFreshness: 0s
          """
              .formatted(origin, mirror.hostPort(), origin, origin);
      try (InProcessProxy proxy = InProcessProxy.start(yaml, tmp.resolve("data"))) {
        Path viaMirror = tmp.resolve("via-mirror");
        skopeo().copy(proxy.ref(REPO, "first"), viaMirror);
        PulledImage.assertIdentical(first, viaMirror);
        assertThat(mirror.bytesToClient())
            .as("the first endpoint served the pull; %s", mirror.stats())
            .isGreaterThan(2 * MIB);
        JsonNode endpoints = endpoints(proxy, origin);
        assertThat(endpoints.size()).as("both endpoints listed: %s", endpoints).isEqualTo(2);
        assertThat(endpoints.get(0).path("url").asText()).isEqualTo("http://" + mirror.hostPort());
        assertThat(endpoints.get(0).path("circuit").asText()).isEqualTo("CLOSED");

        mirror.close();
        Path viaOrigin = tmp.resolve("via-origin");
        skopeo().copy(proxy.ref(REPO, "second"), viaOrigin);
        PulledImage.assertIdentical(second, viaOrigin);

        endpoints = endpoints(proxy, origin);
        System.out.println("UpstreamFailoverIT: endpoints after the mirror died " + endpoints);
        assertThat(endpoints.get(0).path("circuit").asText())
            .as("the dead mirror's circuit: %s", endpoints)
            .isEqualTo("OPEN");
        assertThat(endpoints.get(0).path("recentFailures").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(endpoints.get(1).path("circuit").asText())
            .as("the origin's circuit: %s", endpoints)
            .isEqualTo("CLOSED");
        assertThat(endpoints.get(1).path("recentFailures").asInt()).isZero();

        // With the mirror's circuit open, pulls go straight to the origin.
        Path again = tmp.resolve("again");
        skopeo().copy(proxy.ref(REPO, "first"), again);
        PulledImage.assertIdentical(first, again);
      }
    }
  }

  private static JsonNode endpoints(InProcessProxy proxy, String registry) throws Exception {
    HttpResponse<String> response = proxy.get("/_cache-proxy/upstreams");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    for (JsonNode upstream : JSON.readTree(response.body()).path("upstreams")) {
      if (upstream.path("registry").asText().equals(registry)) {
        return upstream.path("endpoints");
      }
    }
    throw new AssertionError("no upstream " + registry + " in " + response.body());
  }
}
