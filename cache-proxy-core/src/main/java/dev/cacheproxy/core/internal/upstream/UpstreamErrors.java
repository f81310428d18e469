/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cacheproxy.core.NotFoundException;
import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.ProxyException;
import dev.cacheproxy.core.UpstreamException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.jspecify.annotations.Nullable;

/**
 * Turns an unwanted upstream answer into the {@link ProxyException} callers see: the one place that
 * parses upstream OCI error bodies (like Jib's {@code RegistryEndpointCaller}).
 */
final class UpstreamErrors {

  /** Error bodies are small; a longer one is not read. */
  private static final int MAX_ERROR_BODY = 64 * 1024;

  private static final int MAX_MESSAGE = 200;

  private final Clock clock;

  UpstreamErrors(Clock clock) {
    this.clock = clock;
  }

  /**
   * The exception for a non-success answer; reads a little of the body and gives the connection
   * back.
   */
  ProxyException fromResponse(RegistryRequest request, ClassicHttpResponse response) {
    int status = response.getCode();
    Duration retryAfter = retryAfter(Responses.header(response, "Retry-After"));
    UpstreamError body = readErrorBody(response);
    String detail = body.message() == null ? "" : " (" + body.message() + ")";
    String host = request.registry().host();
    return switch (status) {
      case 404 -> {
        OciErrorCode code = body.code();
        if (code != OciErrorCode.MANIFEST_UNKNOWN
            && code != OciErrorCode.BLOB_UNKNOWN
            && code != OciErrorCode.NAME_UNKNOWN) {
          code = request.notFoundCode();
        }
        yield new NotFoundException(
            code, request.subject() + ": " + unknownWhat(code) + " unknown upstream" + detail);
      }
      case 401, 403 -> denied(request, status, detail);
      case 416 ->
          new UpstreamException(
              OciErrorCode.RANGE_INVALID,
              request.subject() + ": " + host + " refused the requested range" + detail,
              status,
              null,
              null);
      case 429 ->
          new UpstreamException(
              OciErrorCode.TOOMANYREQUESTS,
              request.subject() + ": " + host + " is rate limiting requests" + detail,
              status,
              retryAfter,
              null);
      default -> {
        if (status >= 500) {
          yield new UpstreamException(
              OciErrorCode.UNAVAILABLE,
              request.subject() + ": " + host + " failed with HTTP " + status + detail,
              status,
              retryAfter,
              null);
        }
        yield new UpstreamException(
            OciErrorCode.UNKNOWN,
            request.subject() + ": " + host + " answered with unexpected HTTP " + status + detail,
            status,
            null,
            null);
      }
    };
  }

  /** The exception for a 401 or 403 after authentication was tried. */
  static UpstreamException denied(RegistryRequest request, int status, String detail) {
    return new UpstreamException(
        OciErrorCode.DENIED,
        request.subject()
            + ": "
            + request.registry().host()
            + " refused access (HTTP "
            + status
            + ")"
            + detail
            + "; check the rule's credentials (Docker Hub also answers 401 for a private or"
            + " missing repository)",
        status,
        null,
        null);
  }

  /** The exception for a request that got no answer, or whose body broke off. */
  static UpstreamException unreachable(String registryHost, String what, IOException e) {
    String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new UpstreamException(
        OciErrorCode.UNAVAILABLE,
        registryHost + " unreachable: " + what + ": " + sanitize(reason),
        0,
        null,
        e);
  }

  /** Parses {@code Retry-After}: delay seconds or an HTTP date; null when absent or malformed. */
  @Nullable Duration retryAfter(@Nullable String value) {
    if (value == null) {
      return null;
    }
    try {
      long seconds = Long.parseLong(value);
      return seconds >= 0 ? Duration.ofSeconds(seconds) : null;
    } catch (NumberFormatException e) {
      // An HTTP date, then.
    }
    try {
      ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
      Duration d = Duration.between(clock.instant(), at.toInstant());
      return d.isNegative() ? Duration.ZERO : d;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static UpstreamError readErrorBody(ClassicHttpResponse response) {
    byte[] bytes;
    try {
      bytes = Responses.readAtMost(response, MAX_ERROR_BODY);
    } catch (IOException e) {
      return new UpstreamError(null, null);
    }
    return bytes == null ? new UpstreamError(null, null) : parseErrorBody(bytes);
  }

  /** The first error of an OCI error body {@code {"errors":[{"code":…,"message":…}]}}. */
  static UpstreamError parseErrorBody(byte[] bytes) {
    JsonNode first;
    try {
      first = Responses.JSON.readTree(bytes).path("errors").path(0);
    } catch (IOException e) {
      return new UpstreamError(null, null);
    }
    OciErrorCode code = null;
    String text = first.path("code").asText("");
    try {
      code = text.isEmpty() ? null : OciErrorCode.valueOf(text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      // A code this proxy does not know.
    }
    String message = first.path("message").asText("");
    return new UpstreamError(code, message.isBlank() ? null : sanitize(message));
  }

  private static String unknownWhat(OciErrorCode code) {
    return switch (code) {
      case MANIFEST_UNKNOWN -> "manifest";
      case BLOB_UNKNOWN -> "blob";
      default -> "repository";
    };
  }

  /** Strips control characters and cuts long upstream text. */
  static String sanitize(String text) {
    StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_MESSAGE));
    for (int i = 0; i < text.length() && sb.length() < MAX_MESSAGE; i++) {
      char c = text.charAt(i);
      sb.append(Character.isISOControl(c) ? ' ' : c);
    }
    return text.length() > MAX_MESSAGE ? sb.append('…').toString() : sb.toString();
  }

  /** The code and message of an upstream error body, each null if absent. */
  record UpstreamError(@Nullable OciErrorCode code, @Nullable String message) {}
}
