/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.core.UpstreamHealth;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

/**
 * Answers {@code GET /_cache-proxy/upstreams}: how each upstream registry called since start is
 * doing, from memory, as {@code {"upstreams":[{"registry","available","openCalls",
 * "maxConcurrentRequests","staleServes","endpoints":[{"url","circuit","failureRate","recentCalls",
 * "recentFailures","backedOffUntil"}]}]}}. {@code circuit} is {@code CLOSED}, {@code OPEN} or
 * {@code HALF_OPEN}; {@code failureRate} is a percentage, or -1 while too few calls were made.
 * Always 200: an unhealthy upstream is reported, not an error of the proxy, which keeps serving
 * what it has.
 */
final class UpstreamsHandler {

  private final CacheProxy proxy;

  UpstreamsHandler(CacheProxy proxy) {
    this.proxy = proxy;
  }

  void handle(HttpServerExchange exchange) {
    ObjectNode body = Json.object();
    ArrayNode upstreams = body.putArray("upstreams");
    for (UpstreamHealth health : proxy.upstreamHealth()) {
      ObjectNode entry = upstreams.addObject();
      entry.put("registry", health.registry());
      entry.put("available", health.available());
      entry.put("openCalls", health.openCalls());
      entry.put("maxConcurrentRequests", health.maxConcurrentRequests());
      entry.put("staleServes", health.staleServes());
      ArrayNode endpoints = entry.putArray("endpoints");
      for (UpstreamHealth.Endpoint e : health.endpoints()) {
        ObjectNode endpoint = endpoints.addObject();
        endpoint.put("url", e.url().toString());
        endpoint.put("circuit", e.circuit().name());
        endpoint.put("failureRate", e.failureRate());
        endpoint.put("recentCalls", e.recentCalls());
        endpoint.put("recentFailures", e.recentFailures());
        endpoint.put(
            "backedOffUntil", e.backedOffUntil() == null ? null : e.backedOffUntil().toString());
      }
    }
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
    Json.send(exchange, 200, body);
  }
}
