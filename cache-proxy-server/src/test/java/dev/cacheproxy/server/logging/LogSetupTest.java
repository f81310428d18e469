/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.logging;

import static net.logstash.logback.argument.StructuredArguments.kv;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import net.logstash.logback.encoder.LogstashEncoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

class LogSetupTest {

  private static final Logger LOG = LoggerFactory.getLogger(LogSetupTest.class);
  private static final Logger ACCESS = LoggerFactory.getLogger("cache-proxy.access");

  /** Fails on a key written twice, which the JSON lines must never have. */
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  @AfterEach
  void restore() {
    MDC.clear();
    System.clearProperty(LogSetup.CONFIGURATION_FILE_PROPERTY);
    LogSetup.apply(LogFormat.TEXT);
  }

  private static LoggerContext context() {
    return (LoggerContext) LoggerFactory.getILoggerFactory();
  }

  @Test
  void apply_json_writesOneJsonObjectPerLine_withTheRequestIdFromTheMdc() throws Exception {
    LogSetup.apply(LogFormat.JSON);

    assertThat(LogCapture.consoleEncoder()).isInstanceOf(LogstashEncoder.class);
    String appLine;
    String accessLine;
    try (LogCapture capture = LogCapture.attach()) {
      MDC.put(RequestId.MDC_KEY, "3f9a1c0d2b7e4a65");
      LOG.info("fetching {} from {}", "library/nginx:latest", "docker.io");
      MDC.remove(RequestId.MDC_KEY);
      ACCESS.info(
          "{}",
          "127.0.0.1 GET /v2/ 200 2B 1ms - req=0f8fad5b upstream_ms=0",
          kv("requestId", "0f8fad5b"),
          kv("status", 200),
          kv("bytes", 2L),
          kv("upstreamMs", 0L));
      appLine = capture.lines().get(0);
      accessLine = capture.lines().get(1);
    }

    assertThat(appLine).endsWith("\n").doesNotContain("\n{");
    assertThat(appLine.strip().lines()).hasSize(1);
    JsonNode app = JSON.readTree(appLine);
    assertThat(app.path("message").asText())
        .isEqualTo("fetching library/nginx:latest from docker.io");
    assertThat(app.path("requestId").asText()).isEqualTo("3f9a1c0d2b7e4a65");
    assertThat(app.path("level").asText()).isEqualTo("INFO");
    assertThat(app.path("logger_name").asText()).isEqualTo(LogSetupTest.class.getName());
    assertThat(app.has("@timestamp")).isTrue();
    assertThat(app.has("@version")).isFalse();
    assertThat(app.has("level_value")).isFalse();
    assertThat(app.has(LogSetup.FORMAT_PROPERTY)).isFalse();

    JsonNode access = JSON.readTree(accessLine);
    assertThat(access.path("message").asText())
        .isEqualTo("127.0.0.1 GET /v2/ 200 2B 1ms - req=0f8fad5b upstream_ms=0");
    assertThat(access.path("logger_name").asText()).isEqualTo("cache-proxy.access");
    assertThat(access.path("requestId").asText()).isEqualTo("0f8fad5b");
    assertThat(access.path("status").isInt()).isTrue();
    assertThat(access.path("status").asInt()).isEqualTo(200);
    assertThat(access.path("bytes").asLong()).isEqualTo(2);
    assertThat(access.path("upstreamMs").isNumber()).isTrue();
  }

  @Test
  void apply_text_restoresTheTextPattern_withReqOnlyWhenSet() {
    LogSetup.apply(LogFormat.JSON);
    LogSetup.apply(LogFormat.TEXT);

    assertThat(LogCapture.consoleEncoder()).isInstanceOf(PatternLayoutEncoder.class);
    try (LogCapture capture = LogCapture.attach()) {
      LOG.info("plain");
      MDC.put(RequestId.MDC_KEY, "abc-1");
      LOG.warn("during a request");

      assertThat(capture.lines())
          .satisfiesExactly(
              line ->
                  assertThat(line)
                      .matches(
                          "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[LogSetupTest\\]"
                              + " plain\\R"),
              line ->
                  assertThat(line)
                      .matches(
                          "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  \\[LogSetupTest\\]"
                              + " during a request req=abc-1\\R"));
    }
  }

  @Test
  void apply_sameFormatAgain_changesNothing() {
    LogSetup.apply(LogFormat.TEXT);
    Object textAppender = context().getLogger(Logger.ROOT_LOGGER_NAME).getAppender("CONSOLE");
    LogSetup.apply(LogFormat.TEXT);
    assertThat(context().getLogger(Logger.ROOT_LOGGER_NAME).getAppender("CONSOLE"))
        .isSameAs(textAppender);

    LogSetup.apply(LogFormat.JSON);
    Object jsonAppender = context().getLogger(Logger.ROOT_LOGGER_NAME).getAppender("CONSOLE");
    LogSetup.apply(LogFormat.JSON);
    assertThat(context().getLogger(Logger.ROOT_LOGGER_NAME).getAppender("CONSOLE"))
        .isSameAs(jsonAppender)
        .isNotSameAs(textAppender);
    assertThat(LogCapture.consoleEncoder()).isInstanceOf(LogstashEncoder.class);
  }

  @Test
  void apply_eitherFormat_keepsTheLoggerLevels() {
    for (LogFormat format : LogFormat.values()) {
      LogSetup.apply(format);

      assertThat(context().getLogger("org.apache.hc.client5.http.wire").getEffectiveLevel())
          .as("HttpClient's wire log, which prints Authorization headers, in %s", format)
          .isEqualTo(Level.WARN);
      assertThat(context().getLogger("io.undertow").getEffectiveLevel()).isEqualTo(Level.WARN);
      assertThat(context().getLogger("cache-proxy.access").getEffectiveLevel())
          .isEqualTo(Level.INFO);
      assertThat(context().getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.INFO);
    }
  }

  @Test
  void apply_withTheUsersOwnConfigurationFile_leavesLoggingAlone_andSaysSo() {
    System.setProperty(LogSetup.CONFIGURATION_FILE_PROPERTY, "/etc/cache-proxy/logback.xml");
    Object before = context().getLogger(Logger.ROOT_LOGGER_NAME).getAppender("CONSOLE");
    try (LogCapture capture = LogCapture.attach()) {
      LogSetup.apply(LogFormat.JSON);

      assertThat(capture.lines())
          .singleElement()
          .asString()
          .contains("INFO")
          .contains("-Dlogback.configurationFile=/etc/cache-proxy/logback.xml")
          .contains("json");
    }
    assertThat(context().getLogger(Logger.ROOT_LOGGER_NAME).getAppender("CONSOLE"))
        .isSameAs(before);
    assertThat(LogCapture.consoleEncoder()).isInstanceOf(PatternLayoutEncoder.class);
  }
}
