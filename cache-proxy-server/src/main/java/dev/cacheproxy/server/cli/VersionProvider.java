/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * Tells {@code --version}: the version Maven recorded in the jar ({@code pom.properties}), or
 * {@code development build} when running from classes.
 */
final class VersionProvider implements IVersionProvider {

  private static final String POM_PROPERTIES =
      "/META-INF/maven/dev.cacheproxy/cache-proxy-server/pom.properties";

  @Override
  public String[] getVersion() {
    return new String[] {
      "cache-proxy " + version(),
      "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"
    };
  }

  static String version() {
    try (InputStream in = VersionProvider.class.getResourceAsStream(POM_PROPERTIES)) {
      if (in == null) {
        return "development build";
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version", "development build");
    } catch (IOException e) {
      return "development build";
    }
  }
}
