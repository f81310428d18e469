/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.clientconfig;

import dev.cacheproxy.rules.Registry;
import dev.cacheproxy.rules.RepositoryName;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Which registry a runtime should pull through the proxy, and how it reaches the proxy.
 *
 * <pre>{@code
 * MirrorTarget target = MirrorTarget.of("cache.example:5000", "ghcr.io").withPathPrefix("ghcr");
 * }</pre>
 *
 * @param proxy where the runtime reaches the proxy, {@code HOST[:PORT]} (a name, an IPv4 address or
 *     a bracketed IPv6 address), lower case
 * @param tls whether the proxy is reached over HTTPS rather than plain HTTP
 * @param registry the mirrored registry; its endpoint is the registry's own URL, which containerd's
 *     {@code hosts.toml} names as {@code server} ({@code https://registry-1.docker.io} for Docker
 *     Hub)
 * @param pathPrefix the alias the proxy serves the registry under (its rule {@code ALIAS/*}), a
 *     repository path such as {@code ghcr}; empty to send plain names
 * @param digestOnly whether only pulls by digest should use the proxy (tags resolved upstream)
 */
public record MirrorTarget(
    String proxy, boolean tls, Registry registry, Optional<String> pathPrefix, boolean digestOnly) {

  /** The proxy address the command uses without {@code --proxy}. */
  public static final String DEFAULT_PROXY = "localhost:5000";

  private static final String LABEL = "[a-z0-9](?:[a-z0-9-]*[a-z0-9])?";

  private static final Pattern PROXY =
      Pattern.compile("(" + LABEL + "(?:\\." + LABEL + ")*|\\[[0-9a-f:.]+\\])(?::([0-9]{1,5}))?");

  /** The aliases of the proxy's built-in rules, by the registry they serve. */
  private static final Map<String, String> BUILT_IN_ALIASES =
      Map.of(
          "ghcr.io", "ghcr",
          "quay.io", "quay",
          "registry.k8s.io", "k8s",
          "mcr.microsoft.com", "mcr",
          "gcr.io", "gcr",
          "public.ecr.aws", "ecr");

  /**
   * Validates every part.
   *
   * @throws ClientConfigException naming {@code --proxy} or {@code --path-prefix}
   */
  public MirrorTarget {
    proxy = checkProxy(Objects.requireNonNull(proxy, "proxy"));
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(pathPrefix, "pathPrefix").ifPresent(MirrorTarget::checkPathPrefix);
  }

  /**
   * Mirrors {@code registry} through the proxy at {@code proxy} over plain HTTP, with plain names.
   *
   * @param proxy {@code HOST[:PORT]}, such as {@code cache.example:5000}
   * @param registry a registry host, such as {@code ghcr.io}; {@code index.docker.io} is {@code
   *     docker.io}
   * @throws ClientConfigException naming {@code --proxy} or {@code --registry}
   */
  public static MirrorTarget of(String proxy, String registry) {
    Registry parsed;
    try {
      parsed = Registry.of(registry);
    } catch (IllegalArgumentException e) {
      throw new ClientConfigException(
          "--registry: invalid registry host '"
              + registry
              + "': write a host such as docker.io, ghcr.io or registry.internal:5000");
    }
    return new MirrorTarget(proxy, false, parsed, Optional.empty(), false);
  }

  /** This target, reaching the proxy over HTTPS when {@code tls} is true. */
  public MirrorTarget withTls(boolean tls) {
    return new MirrorTarget(proxy, tls, registry, pathPrefix, digestOnly);
  }

  /** This target, pulling through the proxy's alias {@code prefix}, or plain names when null. */
  public MirrorTarget withPathPrefix(@Nullable String prefix) {
    return new MirrorTarget(proxy, tls, registry, Optional.ofNullable(prefix), digestOnly);
  }

  /** This target, using the proxy for pulls by digest only when {@code digestOnly} is true. */
  public MirrorTarget withDigestOnly(boolean digestOnly) {
    return new MirrorTarget(proxy, tls, registry, pathPrefix, digestOnly);
  }

  /**
   * This target, with the registry's own URL set to {@code url} instead of {@code https://<host>},
   * for a registry reached over plain HTTP or at another address.
   *
   * @param url {@code http://} or {@code https://}, a host and an optional port, no path
   * @throws ClientConfigException naming {@code --upstream-url}
   */
  public MirrorTarget withUpstreamUrl(URI url) {
    String path = url.getRawPath();
    if (url.getHost() == null
        || url.getRawUserInfo() != null
        || url.getRawQuery() != null
        || url.getRawFragment() != null
        || (path != null && !path.isEmpty() && !path.equals("/"))
        || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
      throw new ClientConfigException(
          "--upstream-url: '"
              + url
              + "' is not a registry URL; write http:// or https://, a host and an optional port,"
              + " such as http://registry.internal:5000");
    }
    URI endpoint;
    try {
      endpoint = new URI(url.getScheme(), null, url.getHost(), url.getPort(), null, null, null);
    } catch (URISyntaxException e) {
      throw new ClientConfigException("--upstream-url: '" + url + "': " + e.getMessage());
    }
    return new MirrorTarget(
        proxy, tls, new Registry(registry.host(), endpoint), pathPrefix, digestOnly);
  }

  /** The proxy's base URL, such as {@code http://cache.example:5000}. */
  public String proxyUrl() {
    return (tls ? "https://" : "http://") + proxy;
  }

  /** The proxy's host, without the port; an IPv6 address keeps its brackets. */
  public String proxyHost() {
    Matcher m = PROXY.matcher(proxy);
    return m.matches() ? m.group(1) : proxy;
  }

  /** Whether the registry is reached at another URL than {@code https://<host>}. */
  public boolean upstreamOverridden() {
    return !registry.endpoint().equals(Registry.of(registry.host()).endpoint());
  }

  /**
   * The path prefix to pull through: the one given, else the alias of the proxy's built-in rule for
   * a well-known registry ({@code ghcr.io} is {@code ghcr}); empty for Docker Hub, whose plain
   * names the proxy's default rule serves.
   */
  public Optional<String> alias() {
    if (pathPrefix.isPresent()) {
      return pathPrefix;
    }
    return Optional.ofNullable(BUILT_IN_ALIASES.get(registry.host()));
  }

  private static String checkProxy(String proxy) {
    String p = proxy.toLowerCase(Locale.ROOT);
    if (p.startsWith("http://") || p.startsWith("https://")) {
      throw new ClientConfigException(
          "--proxy: write HOST:PORT without a scheme, such as cache.example:5000 (add --tls for"
              + " https), not '"
              + proxy
              + "'");
    }
    Matcher m = PROXY.matcher(p);
    if (!m.matches()) {
      throw new ClientConfigException(
          "--proxy: '"
              + proxy
              + "' is not HOST:PORT; write the address the runtime reaches the proxy at, such as"
              + " cache.example:5000 or 10.0.0.5:5000");
    }
    String port = m.group(2);
    if (port != null && (Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535)) {
      throw new ClientConfigException(
          "--proxy: '" + proxy + "' has port " + port + "; ports go from 1 to 65535");
    }
    return p;
  }

  private static void checkPathPrefix(String prefix) {
    if (!RepositoryName.isValid(prefix)) {
      throw new ClientConfigException(
          "--path-prefix: '"
              + prefix
              + "' is not a repository path; write the alias of a proxy rule, such as ghcr for the"
              + " rule ghcr/* (lower-case letters, digits, . _ - and /, without a leading or"
              + " trailing /)");
    }
  }
}
