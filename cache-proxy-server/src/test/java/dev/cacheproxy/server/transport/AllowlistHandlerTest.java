/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link AllowlistHandler} in front of a real Undertow listener, with clients on 127.0.0.x. */
class AllowlistHandlerTest {

  private final AtomicInteger handled = new AtomicInteger();
  private Undertow undertow;

  @AfterEach
  void stop() {
    if (undertow != null) {
      undertow.stop();
    }
  }

  @Test
  void request_fromAllowedAddress_reachesHandler() throws Exception {
    int port = start(IpAllowlist.of(List.of("127.0.0.2/32")));

    RawHttp.Response response = RawHttp.get("127.0.0.2", port, "/v2/");

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("ok");
    assertThat(handled).hasValue(1);
  }

  @Test
  void request_fromOtherAddress_deniedWithOciError() throws Exception {
    int port = start(IpAllowlist.of(List.of("127.0.0.2/32", "10.0.0.0/8")));

    RawHttp.Response response = RawHttp.get("127.0.0.1", port, "/v2/");

    assertThat(response.status()).isEqualTo(403);
    assertThat(response.body())
        .isEqualTo(
            "{\"errors\":[{\"code\":\"DENIED\",\"message\":\"the test listener does not accept"
                + " connections from 127.0.0.1 (not in its allow list)\"}]}");
    assertThat(handled).as("the handler never runs").hasValue(0);
  }

  @Test
  void request_blockIncludesAddress_reachesHandler() throws Exception {
    int port = start(IpAllowlist.of(List.of("127.0.0.0/30")));

    assertThat(RawHttp.get("127.0.0.3", port, "/").status()).isEqualTo(200);
    assertThat(RawHttp.get("127.0.0.4", port, "/").status()).isEqualTo(403);
  }

  @Test
  void wrap_everyone_returnsHandlerItself() {
    HttpHandler next = exchange -> {};

    assertThat(AllowlistHandler.wrap("x", IpAllowlist.everyone(), next)).isSameAs(next);
  }

  private int start(IpAllowlist allow) {
    HttpHandler ok =
        exchange -> {
          handled.incrementAndGet();
          exchange.getResponseSender().send("ok");
        };
    undertow =
        Undertow.builder()
            .addHttpListener(0, "0.0.0.0")
            .setHandler(new AllowlistHandler("test", allow, ok))
            .build();
    undertow.start();
    return ((InetSocketAddress) undertow.getListenerInfo().getFirst().getAddress()).getPort();
  }
}
