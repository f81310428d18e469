/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.rules.Governance;
import dev.cacheproxy.rules.Registries;
import dev.cacheproxy.rules.RegistryEntry;
import dev.cacheproxy.rules.Rule;
import dev.cacheproxy.rules.RuleSet;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /_cache-proxy/rules}: the registries with every endpoint. */
class RulesHandlerTest {

  @TempDir Path dir;

  @Test
  void registries_carryEveryEndpoint_inOrder() throws Exception {
    RuleSet rules =
        RuleSet.of(
            List.of(Rule.of("ghcr", "ghcr/*", "ghcr.io/*")),
            Governance.OPEN,
            Registries.of(
                List.of(
                    RegistryEntry.ofEndpoints(
                        "ghcr.io",
                        List.of("https://mirror.example", "https://ghcr.io"),
                        "team",
                        Duration.ofMinutes(1)),
                    RegistryEntry.ofEndpoints("docker.io", List.of(), null, null))));
    try (CacheProxy proxy = CacheProxy.builder().rules(rules).dataDirectory(dir).build();
        TestServer server = TestServer.dispatching(new RulesHandler(proxy)::handle);
        HttpClient client = HttpClient.newHttpClient()) {
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(server.uri("/_cache-proxy/rules")).build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(200);
      JsonNode registries = new ObjectMapper().readTree(response.body()).get("registries");
      assertThat(registries.toString())
          .isEqualTo(
              "[{\"host\":\"ghcr.io\",\"url\":\"https://mirror.example\","
                  + "\"urls\":[\"https://mirror.example\",\"https://ghcr.io\"],"
                  + "\"credentials\":\"team\",\"tagFreshness\":\"1m\",\"nsMatches\":0},"
                  + "{\"host\":\"docker.io\",\"url\":\"https://registry-1.docker.io\","
                  + "\"urls\":[\"https://registry-1.docker.io\"],"
                  + "\"credentials\":null,\"tagFreshness\":\"5m\",\"nsMatches\":0}]");
    }
  }
}
