/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.rules.RegistryEntry;
import dev.cacheproxy.rules.Rule;
import dev.cacheproxy.rules.RuleSet;
import dev.cacheproxy.server.config.Durations;
import dev.cacheproxy.server.config.RuleModes;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.util.Map;

/**
 * Answers {@code GET /_cache-proxy/rules}: the rules in force, in the order written, and how many
 * requests each has routed since start, as {@code {"rules":[{"name","target","source","mode",
 * "credentials","tagFreshness","matches"}],"registries":[{"host","url","urls","credentials",
 * "tagFreshness","nsMatches"}]}}, {@code url} being the first of {@code urls} (the endpoints, tried
 * in order). Credentials appear as the set's name, never a secret. Runs on a dispatched virtual
 * thread.
 */
final class RulesHandler {

  private final CacheProxy proxy;

  RulesHandler(CacheProxy proxy) {
    this.proxy = proxy;
  }

  void handle(HttpServerExchange exchange) {
    Map<String, Long> matches = proxy.ruleMatches();
    ObjectNode body = Json.object();
    ArrayNode list = body.putArray("rules");
    for (Rule rule : proxy.rules().rules()) {
      ObjectNode entry = list.addObject();
      entry.put("name", rule.name());
      entry.put("target", rule.target());
      entry.put("source", rule.source().toString());
      entry.put("mode", RuleModes.name(rule.policy().mode()));
      entry.put("credentials", rule.credentials()); // the set's name or null, never a secret
      entry.put("tagFreshness", Durations.format(rule.tagFreshness()));
      entry.put("matches", matches.getOrDefault(rule.name(), 0L));
    }
    ArrayNode registries = body.putArray("registries");
    for (RegistryEntry registry : proxy.rules().registries().entries()) {
      ObjectNode entry = registries.addObject();
      String host = registry.registry().host();
      entry.put("host", host);
      entry.put("url", registry.registry().endpoint().toString());
      ArrayNode urls = entry.putArray("urls"); // every endpoint, in the order they are tried
      registry.registry().endpoints().forEach(url -> urls.add(url.toString()));
      entry.put("credentials", registry.credentials());
      entry.put("tagFreshness", Durations.format(registry.tagFreshness()));
      // requests routed by ?ns= to this registry rather than through a rule
      entry.put("nsMatches", matches.getOrDefault(RuleSet.namespaceRuleName(host), 0L));
    }
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
    Json.send(exchange, 200, body);
  }
}
