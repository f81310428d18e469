/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;

/**
 * A test appender on the root logger that encodes each event with the encoder of the bundled {@code
 * CONSOLE} appender, so tests see exactly the lines that would go to standard error, without
 * touching {@code System.err}.
 */
public final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {

  private final Logger root;
  private final Encoder<ILoggingEvent> encoder;
  private final List<String> lines = new ArrayList<>();

  private LogCapture(Logger root, Encoder<ILoggingEvent> encoder) {
    this.root = root;
    this.encoder = encoder;
  }

  /**
   * Attaches a capture to the root logger and to the access logger (which the bundled
   * configurations keep apart from the root, on its own asynchronous appender), encoding as the
   * current {@code CONSOLE} appender.
   */
  public static LogCapture attach() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    LogCapture capture = new LogCapture(root, consoleEncoder());
    capture.setContext(context);
    capture.setName("test-capture");
    capture.start();
    root.addAppender(capture);
    context.getLogger(LogSetup.ACCESS_LOGGER).addAppender(capture);
    return capture;
  }

  /** The encoder of the {@code CONSOLE} appender that the bundled configurations define. */
  public static Encoder<ILoggingEvent> consoleEncoder() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Appender<ILoggingEvent> console =
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("CONSOLE");
    assertThat(console).as("the CONSOLE appender").isInstanceOf(OutputStreamAppender.class);
    return ((OutputStreamAppender<ILoggingEvent>) console).getEncoder();
  }

  @Override
  protected void append(ILoggingEvent event) {
    String line = new String(encoder.encode(event), StandardCharsets.UTF_8);
    synchronized (lines) {
      lines.add(line);
      lines.notifyAll();
    }
  }

  /** The lines captured so far, each with its line separator. */
  public List<String> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  /** Waits up to {@code timeout} for a line that {@code matches}, and returns it. */
  public String await(Predicate<String> matches, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lines) {
      while (true) {
        for (String line : lines) {
          if (matches.test(line)) {
            return line;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no matching log line within " + timeout + " in " + lines);
        }
        lines.wait(Math.max(1, left / 1_000_000));
      }
    }
  }

  @Override
  public void close() {
    root.detachAppender(this);
    root.getLoggerContext().getLogger(LogSetup.ACCESS_LOGGER).detachAppender(this);
    stop();
  }
}
