/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cacheproxy.server.logging.LogCapture;
import dev.cacheproxy.server.logging.LogFormat;
import dev.cacheproxy.server.logging.LogSetup;
import dev.cacheproxy.server.logging.RequestId;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class AccessLogTest {

  /** Fails on a key written twice, which an access line must never have. */
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  /** How the integration tests read the proxy's access lines: the format's stable prefix. */
  private static final Pattern IT_LINE =
      Pattern.compile(
          "^\\S+ (\\S+) (\\S+) (\\d{3}) (\\d+)B \\d+ms (\\S+)"
              + "(?: rule=(\\S+) upstream=(\\S+))?(?: .*)?$");

  private static final AccessLog.Entry ROUTED =
      new AccessLog.Entry(
          "3f9a1c0d2b7e4a65",
          "127.0.0.1",
          "GET",
          "/v2/library/nginx/manifests/latest",
          "library/nginx",
          "latest",
          "default",
          "docker.io/library/nginx",
          "MISS",
          200,
          1563,
          42,
          37,
          null);

  private static final AccessLog.Entry PING =
      new AccessLog.Entry(
          "abc", "::1", "GET", "/v2/?x=1", null, null, null, null, null, 200, 2, 0, 0, null);

  @AfterEach
  void restore() {
    MDC.clear();
    LogSetup.apply(LogFormat.TEXT);
  }

  @Test
  void text_routed_addsRequestIdAndUpstreamTimeAtTheEnd() {
    assertThat(ROUTED.text())
        .isEqualTo(
            "127.0.0.1 GET /v2/library/nginx/manifests/latest 200 1563B 42ms MISS"
                + " rule=default upstream=docker.io/library/nginx"
                + " req=3f9a1c0d2b7e4a65 upstream_ms=37");
  }

  @Test
  void text_unrouted_hasNoRuleOrUpstream() {
    assertThat(PING.text()).isEqualTo("::1 GET /v2/?x=1 200 2B 0ms - req=abc upstream_ms=0");
  }

  @Test
  void text_keepsThePrefixThatToolsParse() {
    Matcher routed = IT_LINE.matcher(ROUTED.text());
    assertThat(routed.matches()).isTrue();
    assertThat(routed.group(2)).isEqualTo("/v2/library/nginx/manifests/latest");
    assertThat(routed.group(3)).isEqualTo("200");
    assertThat(routed.group(5)).isEqualTo("MISS");
    assertThat(routed.group(6)).isEqualTo("default");
    assertThat(routed.group(7)).isEqualTo("docker.io/library/nginx");

    Matcher ping = IT_LINE.matcher(PING.text());
    assertThat(ping.matches()).isTrue();
    assertThat(ping.group(5)).isEqualTo("-");
    assertThat(ping.group(6)).isNull();
  }

  @Test
  void fields_startWithTheTextLine_thenEveryKnownField() {
    List<Object> fields = ROUTED.fields();
    assertThat(fields.get(0)).isEqualTo(ROUTED.text());
    List<String> rest = new ArrayList<>();
    fields.subList(1, fields.size()).forEach(field -> rest.add(field.toString()));
    assertThat(rest)
        .containsExactly(
            "requestId=3f9a1c0d2b7e4a65",
            "client=127.0.0.1",
            "method=GET",
            "path=/v2/library/nginx/manifests/latest",
            "repository=library/nginx",
            "reference=latest",
            "rule=default",
            "upstream=docker.io/library/nginx",
            "cache=MISS",
            "status=200",
            "bytes=1563",
            "durationMs=42",
            "upstreamMs=37");
    assertThat(PING.fields()).hasSize(9);
  }

  @Test
  void log_json_isOneObjectWithTopLevelFields_andTheRequestIdOnce() throws Exception {
    LogSetup.apply(LogFormat.JSON);
    String line;
    try (LogCapture capture = LogCapture.attach()) {
      // The exchange may complete on the thread that served it, with the id in the MDC.
      MDC.put(RequestId.MDC_KEY, ROUTED.requestId());
      AccessLog.log(ROUTED);
      assertThat(MDC.get(RequestId.MDC_KEY)).isEqualTo(ROUTED.requestId());
      line = capture.lines().getFirst();
    }

    assertThat(line.strip().lines()).hasSize(1);
    JsonNode json = JSON.readTree(line);
    assertThat(json.path("logger_name").asText()).isEqualTo("cache-proxy.access");
    assertThat(json.path("message").asText()).isEqualTo(ROUTED.text());
    assertThat(json.path("requestId").asText()).isEqualTo("3f9a1c0d2b7e4a65");
    assertThat(json.path("client").asText()).isEqualTo("127.0.0.1");
    assertThat(json.path("method").asText()).isEqualTo("GET");
    assertThat(json.path("path").asText()).isEqualTo("/v2/library/nginx/manifests/latest");
    assertThat(json.path("repository").asText()).isEqualTo("library/nginx");
    assertThat(json.path("reference").asText()).isEqualTo("latest");
    assertThat(json.path("rule").asText()).isEqualTo("default");
    assertThat(json.path("upstream").asText()).isEqualTo("docker.io/library/nginx");
    assertThat(json.path("cache").asText()).isEqualTo("MISS");
    assertThat(json.path("status").isInt()).isTrue();
    assertThat(json.path("status").asInt()).isEqualTo(200);
    assertThat(json.path("bytes").asLong()).isEqualTo(1563);
    assertThat(json.path("durationMs").asLong()).isEqualTo(42);
    assertThat(json.path("upstreamMs").asLong()).isEqualTo(37);
  }

  @Test
  void log_json_leavesOutAbsentFields() throws Exception {
    LogSetup.apply(LogFormat.JSON);
    String line;
    try (LogCapture capture = LogCapture.attach()) {
      AccessLog.log(PING);
      line = capture.lines().getFirst();
    }

    JsonNode json = JSON.readTree(line);
    assertThat(json.has("repository")).isFalse();
    assertThat(json.has("reference")).isFalse();
    assertThat(json.has("rule")).isFalse();
    assertThat(json.has("upstream")).isFalse();
    assertThat(json.has("cache")).isFalse();
    assertThat(json.path("requestId").asText()).isEqualTo("abc");
    assertThat(json.path("upstreamMs").asLong()).isZero();
  }

  @Test
  void log_text_isTheLine_withTheRequestIdOnce() {
    String line;
    try (LogCapture capture = LogCapture.attach()) {
      MDC.put(RequestId.MDC_KEY, ROUTED.requestId());
      AccessLog.log(ROUTED);
      line = capture.lines().getFirst();
    }

    assertThat(line)
        .matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[access\\] .*\\R")
        .contains("] " + ROUTED.text())
        .endsWith(" req=3f9a1c0d2b7e4a65 upstream_ms=37" + System.lineSeparator());
  }
}
