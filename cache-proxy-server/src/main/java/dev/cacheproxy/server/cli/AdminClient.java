/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Calls a running server's admin API ({@code /admin/…} on its admin listener) for the {@code warm}
 * and {@code purge} commands: JSON in and out over HTTP/1.1. Thread-safe.
 */
final class AdminClient {

  /** Where the admin listener listens by default. */
  static final String DEFAULT_URL = "http://127.0.0.1:5050";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /**
   * An answer of the admin API.
   *
   * @param status the HTTP status
   * @param body the JSON body; a missing node when there was none or it was not JSON
   */
  record Response(int status, JsonNode body) {

    /** The message of the first error of an error body, or a generic one naming the status. */
    String errorMessage() {
      JsonNode message = body.path("errors").path(0).path("message");
      String text = message.isTextual() ? message.asText() : "HTTP status " + status;
      return status == 401
          ? text
              + " (the admin listener needs an admin's credentials: --user NAME with the"
              + " password in "
              + AdminUrlOption.PASSWORD_VARIABLE
              + " or --password-stdin)"
          : text;
    }
  }

  /** The admin listener could not be reached, or did not answer in time. */
  static final class UnreachableException extends Exception {
    private static final long serialVersionUID = 1L;

    UnreachableException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final URI base;
  private final Duration timeout;
  private final HttpClient client;
  private final @Nullable String authorization;

  /**
   * A client of the admin listener at {@code base} that sends no credentials.
   *
   * @param timeout how long one request may take
   */
  AdminClient(URI base, Duration timeout) {
    this(base, timeout, null);
  }

  /**
   * A client of the admin listener at {@code base}.
   *
   * @param timeout how long one request may take
   * @param authorization the {@code Authorization} header to send, or null for none
   */
  AdminClient(URI base, Duration timeout, @Nullable String authorization) {
    this.authorization = authorization;
    String text = base.toString();
    this.base = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
    this.timeout = timeout;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT)
            .build();
  }

  /** The admin listener's URL, as given. */
  URI base() {
    return base;
  }

  /** {@code GET base + path}. */
  Response get(String path) throws UnreachableException, InterruptedException {
    return send(HttpRequest.newBuilder(base.resolve(path)).GET());
  }

  /** {@code POST base + path} with a JSON body. */
  Response post(String path, JsonNode body) throws UnreachableException, InterruptedException {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
    return send(
        HttpRequest.newBuilder(base.resolve(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)));
  }

  private Response send(HttpRequest.Builder request)
      throws UnreachableException, InterruptedException {
    String credentials = authorization;
    if (credentials != null) {
      request.header("Authorization", credentials);
    }
    HttpResponse<byte[]> response;
    try {
      response =
          client.send(
              request.timeout(timeout).header("Accept", "application/json").build(),
              HttpResponse.BodyHandlers.ofByteArray());
    } catch (HttpTimeoutException e) {
      throw new UnreachableException(
          "the admin listener at " + base + " did not answer within " + timeout.toSeconds() + " s",
          e);
    } catch (IOException e) {
      throw new UnreachableException(
          "cannot reach the admin listener at "
              + base
              + ": "
              + reason(e)
              + " (is the server running, with its admin listener on that address? see --admin)",
          e);
    }
    return new Response(response.statusCode(), parse(response.body()));
  }

  private static JsonNode parse(byte[] body) {
    if (body.length == 0) {
      return MissingNode.getInstance();
    }
    try {
      JsonNode node = JSON.readTree(body);
      return node == null ? MissingNode.getInstance() : node;
    } catch (IOException e) {
      return MissingNode.getInstance();
    }
  }

  private static String reason(IOException e) {
    if (e instanceof ConnectException) {
      return "connection refused";
    }
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }

  /** A JSON object to fill in. */
  static ObjectNode object() {
    return JSON.createObjectNode();
  }
}
