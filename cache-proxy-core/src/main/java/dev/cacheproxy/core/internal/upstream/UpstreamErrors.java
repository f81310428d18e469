/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cacheproxy.core.NotFoundException;
import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.ProxyException;
import dev.cacheproxy.core.UpstreamException;
import dev.cacheproxy.core.spi.Credentials;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
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

  /** What a secret in an upstream message is replaced with. */
  static final String REDACTED = "[redacted]";

  /** Secrets shorter than this are not redacted: replacing them would garble any message. */
  static final int MIN_SECRET = 4;

  private final Clock clock;

  UpstreamErrors(Clock clock) {
    this.clock = clock;
  }

  /**
   * The exception for a non-success answer; reads a little of the body and gives the connection
   * back. The upstream's error message is passed on to the client, so every occurrence of one of
   * {@code secrets} (the password, the Basic header value, the bearer token sent) is replaced by
   * {@value #REDACTED} first: a registry that echoes what it was sent must not leak it.
   */
  ProxyException fromResponse(
      RegistryRequest request, ClassicHttpResponse response, List<String> secrets) {
    int status = response.getCode();
    Duration retryAfter = retryAfter(Responses.header(response, "Retry-After"));
    UpstreamError body = readErrorBody(response, secrets);
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

  private static UpstreamError readErrorBody(ClassicHttpResponse response, List<String> secrets) {
    byte[] bytes;
    try {
      bytes = Responses.readAtMost(response, MAX_ERROR_BODY);
    } catch (IOException e) {
      return new UpstreamError(null, null);
    }
    return bytes == null ? new UpstreamError(null, null) : parseErrorBody(bytes, secrets);
  }

  /**
   * The secrets a call sent: the credentials of {@code authorization} (a bearer token or the Basic
   * header's Base64) and the password of {@code credentials}; those shorter than {@value
   * #MIN_SECRET} characters are left out, since redacting them would garble messages.
   */
  static List<String> secrets(@Nullable String authorization, @Nullable Credentials credentials) {
    List<String> secrets = new ArrayList<>(3);
    if (authorization != null) {
      int space = authorization.indexOf(' ');
      secrets.add(space < 0 ? authorization : authorization.substring(space + 1).trim());
    }
    if (credentials != null) {
      secrets.add(credentials.password());
      String basic = Authenticator.basic(credentials);
      secrets.add(basic.substring(basic.indexOf(' ') + 1));
    }
    secrets.removeIf(secret -> secret.length() < MIN_SECRET);
    return List.copyOf(secrets);
  }

  /**
   * {@code text} with every occurrence of each of {@code secrets} replaced by {@value #REDACTED}.
   */
  static String redact(String text, List<String> secrets) {
    String redacted = text;
    for (String secret : secrets) {
      if (secret.length() >= MIN_SECRET) {
        redacted = redacted.replace(secret, REDACTED);
      }
    }
    return redacted;
  }

  /**
   * The first error of an OCI error body {@code {"errors":[{"code":…,"message":…}]}}, its message
   * with {@code secrets} redacted.
   */
  static UpstreamError parseErrorBody(byte[] bytes, List<String> secrets) {
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
    return new UpstreamError(code, message.isBlank() ? null : sanitize(redact(message, secrets)));
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
