/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusListener;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Switches all of cache-proxy's logging, application and access lines alike, between {@link
 * LogFormat#TEXT} and {@link LogFormat#JSON} on standard error, by reloading Logback from the
 * bundled {@code logback.xml} or {@code logback-json.xml}. Both files set the same logger levels.
 *
 * <p>A user's own configuration wins: when {@code -Dlogback.configurationFile} is set, {@link
 * #apply} leaves Logback alone. Each bundled file records its format in the context property
 * {@value #FORMAT_PROPERTY}, so applying the format already in force does nothing.
 *
 * <p>Threading: {@link #apply} is synchronized; meant to be called once at startup, before the
 * server takes requests, since a reload drops any event logged while it runs.
 */
public final class LogSetup {

  /** The system property with which a user points Logback at their own configuration file. */
  static final String CONFIGURATION_FILE_PROPERTY = "logback.configurationFile";

  /** The Logback context property that the bundled configurations set to their format. */
  static final String FORMAT_PROPERTY = "cache-proxy.log.format";

  private static final Logger LOG = LoggerFactory.getLogger(LogSetup.class);

  private LogSetup() {}

  /**
   * Turns the access log (logger {@code cache-proxy.access}, one line per request) on or off; on
   * leaves the configured level alone. Does nothing when SLF4J is not bound to Logback.
   */
  public static synchronized void accessLog(boolean on) {
    if (!on && LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.getLogger(ACCESS_LOGGER).setLevel(Level.OFF);
      LOG.info("access log off (log.accessLog: false)");
    }
  }

  /** The logger the access log writes to. */
  public static final String ACCESS_LOGGER = "cache-proxy.access";

  /**
   * Makes every log line take {@code format}. Does nothing when that format is already in force,
   * when {@code -Dlogback.configurationFile} names the user's own configuration (saying so in one
   * {@code INFO} line), or when SLF4J is not bound to Logback.
   *
   * @throws IllegalStateException if the bundled configuration cannot be loaded
   */
  public static synchronized void apply(LogFormat format) {
    String userFile = System.getProperty(CONFIGURATION_FILE_PROPERTY);
    if (userFile != null && !userFile.isBlank()) {
      LOG.info(
          "Logging is configured by -D{}={}; log format {} is not applied",
          CONFIGURATION_FILE_PROPERTY,
          userFile,
          format);
      return;
    }
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext context)) {
      LOG.warn(
          "Logging is not done by Logback but by {}; log format {} is not applied",
          factory.getClass().getName(),
          format);
      return;
    }
    if (format.toString().equals(context.getProperty(FORMAT_PROPERTY))) {
      return;
    }
    URL url = LogSetup.class.getClassLoader().getResource(format.resource());
    if (url == null) {
      throw new IllegalStateException(
          "the logging configuration " + format.resource() + " is missing from the class path");
    }
    context.reset();
    List<String> errors = new ArrayList<>();
    StatusListener listener =
        status -> {
          if (status.getEffectiveLevel() >= Status.ERROR) {
            errors.add(status.getMessage());
          }
        };
    context.getStatusManager().add(listener);
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(url);
    } catch (JoranException e) {
      throw new IllegalStateException(
          "cannot load the logging configuration " + format.resource() + ": " + e.getMessage(), e);
    } finally {
      context.getStatusManager().remove(listener);
    }
    if (!errors.isEmpty()) {
      throw new IllegalStateException(
          "the logging configuration "
              + format.resource()
              + " has errors: "
              + String.join("; ", errors));
    }
  }
}
