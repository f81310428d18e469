/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/** Writes small JSON response bodies: errors, tag lists and the catalog. */
final class Json {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  /** A new, empty JSON object. */
  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** The UTF-8 bytes of a JSON value. */
  static byte[] bytes(JsonNode value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot write JSON", e);
    }
  }

  /**
   * Sends {@code value} with {@code status} and {@code Content-Type: application/json}, ending the
   * exchange.
   */
  static void send(HttpServerExchange exchange, int status, JsonNode value) {
    byte[] body = bytes(value);
    exchange.setStatusCode(status);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
    exchange.setResponseContentLength(body.length);
    IoThreadResponse.send(exchange, ByteBuffer.wrap(body));
  }
}
