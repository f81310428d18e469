/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import static dev.cacheproxy.core.internal.upstream.UpstreamFixtures.registry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cacheproxy.core.NotFoundException;
import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.ProxyException;
import dev.cacheproxy.core.UpstreamException;
import dev.cacheproxy.rules.RepositoryName;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Tag listing of {@link RegistryClient}. */
class RegistryClientTagsTest {

  private static final RepositoryName NGINX = RepositoryName.of("library/nginx");

  @StartStop private final MockWebServer server = new MockWebServer();

  private final RegistryClient client = UpstreamFixtures.client();

  @AfterEach
  void closeClient() {
    client.close();
  }

  @Test
  void listTags_parsesTagsAndNextFromLinkHeader() throws Exception {
    server.enqueue(
        new MockResponse.Builder()
            .addHeader("Content-Type", "application/json")
            .addHeader("Link", "</v2/library/nginx/tags/list?last=1.27%2Bx&n=2>; rel=\"next\"")
            .body("{\"name\":\"library/nginx\",\"tags\":[\"1.26\",\"1.27+x\"]}")
            .build());

    TagPage page = client.listTags(registry(server), NGINX, 2, "1.25", null);

    assertThat(page.tags()).containsExactly("1.26", "1.27+x");
    assertThat(page.nextLast()).isEqualTo("1.27+x");
    assertThat(server.takeRequest().getTarget())
        .isEqualTo("/v2/library/nginx/tags/list?n=2&last=1.25");
  }

  @Test
  void listTags_noPageSizeAndNullTags_emptyLastPage() throws Exception {
    server.enqueue(
        new MockResponse.Builder().body("{\"name\":\"library/nginx\",\"tags\":null}").build());

    TagPage page = client.listTags(registry(server), NGINX, 0, null, null);

    assertThat(page.tags()).isEmpty();
    assertThat(page.nextLast()).isNull();
    assertThat(server.takeRequest().getTarget()).isEqualTo("/v2/library/nginx/tags/list");
  }

  @Test
  void listTags_404_nameUnknown() {
    server.enqueue(new MockResponse.Builder().code(404).build());

    assertThatThrownBy(() -> client.listTags(registry(server), NGINX, 10, null, null))
        .isInstanceOf(NotFoundException.class)
        .extracting(e -> ((ProxyException) e).code())
        .isEqualTo(OciErrorCode.NAME_UNKNOWN);
  }

  @Test
  void listTags_notJson_unknown() {
    server.enqueue(new MockResponse.Builder().body("<html>").build());

    assertThatThrownBy(() -> client.listTags(registry(server), NGINX, 10, null, null))
        .isInstanceOfSatisfying(
            UpstreamException.class, e -> assertThat(e.code()).isEqualTo(OciErrorCode.UNKNOWN));
  }
}
