/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.core.TagList;
import dev.cacheproxy.rules.RepositoryName;
import dev.cacheproxy.rules.Route;
import io.undertow.server.HttpServerExchange;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Predicate;

/**
 * Answers the paged lists: {@code GET /v2/<name>/tags/list} and {@code GET /v2/_catalog}, with a
 * {@code Link: <…?n=…&last=…>; rel="next"} header when more entries follow. Runs on a dispatched
 * virtual thread.
 */
final class ListingHandler {

  private final CacheProxy proxy;

  ListingHandler(CacheProxy proxy) {
    this.proxy = proxy;
  }

  void tags(HttpServerExchange exchange, Endpoint.Tags request) {
    Page page = request.page();
    Route route = AccessLog.routed(exchange, proxy.route(request.name(), request.namespace()));
    TagList list = proxy.tags(route, page.limit(), page.last());
    ObjectNode body = Json.object();
    body.put("name", request.name().value());
    ArrayNode tags = body.putArray("tags");
    list.tags().forEach(tags::add);
    if (list.more() && !list.tags().isEmpty()) {
      String namespace = request.namespace();
      link(
          exchange,
          "/v2/" + request.name().value() + "/tags/list",
          page,
          list.tags().getLast(),
          namespace == null ? "" : "&ns=" + URLEncoder.encode(namespace, StandardCharsets.UTF_8));
    }
    Json.send(exchange, 200, body);
  }

  /**
   * Answers the catalog with the repositories {@code visible} accepts (those the client may pull),
   * paged over that filtered list.
   */
  void catalog(HttpServerExchange exchange, Endpoint.Catalog request, Predicate<String> visible) {
    Page page = request.page();
    String last = page.last();
    List<RepositoryName> all = proxy.catalog();
    ObjectNode body = Json.object();
    ArrayNode repositories = body.putArray("repositories");
    String lastSent = null;
    boolean more = false;
    for (RepositoryName name : all) {
      if ((last != null && name.value().compareTo(last) <= 0) || !visible.test(name.value())) {
        continue;
      }
      if (repositories.size() >= page.limit()) {
        more = true;
        break;
      }
      repositories.add(name.value());
      lastSent = name.value();
    }
    if (more && lastSent != null) {
      link(exchange, "/v2/_catalog", page, lastSent, "");
    }
    Json.send(exchange, 200, body);
  }

  private static void link(
      HttpServerExchange exchange, String path, Page page, String last, String more) {
    String query =
        (page.limited() ? "n=" + page.limit() + "&" : "")
            + "last="
            + URLEncoder.encode(last, StandardCharsets.UTF_8)
            + more;
    exchange
        .getResponseHeaders()
        .put(OciHeaders.LINK, "<" + path + "?" + query + ">; rel=\"next\"");
  }
}
