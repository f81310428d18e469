/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cacheproxy.core.Digest;
import dev.cacheproxy.core.events.CacheEvent;
import dev.cacheproxy.core.events.CacheEvent.CacheEvict;
import dev.cacheproxy.core.events.CacheEvent.CacheFill;
import dev.cacheproxy.core.events.CacheEvent.TagUpdated;
import dev.cacheproxy.core.events.CacheEvent.UpstreamHealthy;
import dev.cacheproxy.core.events.CacheEvent.UpstreamUnhealthy;
import java.io.UncheckedIOException;

/**
 * The JSON body of a webhook delivery: {@code {"id":..,"type":..,"time":..,"data":{..}}}, where
 * {@code data} holds the event's fields (digests, repositories and tags as text).
 */
final class EventJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private EventJson() {}

  /** The UTF-8 body of delivery {@code id} of {@code event}. */
  static byte[] body(String id, CacheEvent event) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("id", id);
    root.put("type", event.type());
    root.put("time", event.time().toString());
    ObjectNode data = root.putObject("data");
    data.put("registry", event.registry());
    switch (event) {
      case CacheFill f -> {
        data.put("repository", f.repository().toString());
        data.put("digest", f.digest().toString());
        data.put("size", f.size());
        data.put("rule", f.rule());
      }
      case CacheEvict e -> {
        data.put("repository", e.repository().toString());
        ArrayNode manifests = data.putArray("manifests");
        for (Digest d : e.manifests()) {
          manifests.add(d.toString());
        }
        data.put("blobs", e.blobs());
        data.put("bytes", e.bytes());
        data.put("reason", e.reason());
      }
      case TagUpdated t -> {
        data.put("repository", t.repository().toString());
        data.put("tag", t.tag().value());
        Digest previous = t.previous();
        if (previous == null) {
          data.putNull("previous");
        } else {
          data.put("previous", previous.toString());
        }
        data.put("current", t.current().toString());
        data.put("rule", t.rule());
      }
      case UpstreamUnhealthy u -> {
        data.put("endpoint", u.endpoint().toString());
        data.put("state", u.state());
      }
      case UpstreamHealthy u -> {
        data.put("endpoint", u.endpoint().toString());
        data.put("state", u.state());
      }
    }
    try {
      return MAPPER.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
