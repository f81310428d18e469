/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.cli;

import dev.cacheproxy.server.clientconfig.ClientConfig;
import dev.cacheproxy.server.clientconfig.ClientConfigException;
import dev.cacheproxy.server.clientconfig.ClientConfigGenerator;
import dev.cacheproxy.server.clientconfig.ClientRuntime;
import dev.cacheproxy.server.clientconfig.MirrorTarget;
import java.io.PrintWriter;
import java.net.URI;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code cache-proxy client-config --runtime RUNTIME}: prints the configuration a container runtime
 * needs to use a running proxy as its registry mirror, each file as a {@code # <path>} line and its
 * exact content, then how to apply it. Exits with 0, or with 2 and a message naming the option when
 * the runtime cannot mirror the registry as asked.
 *
 * <pre>
 * $ cache-proxy client-config --runtime containerd --registry ghcr.io --proxy cache.example:5000
 * # /etc/containerd/certs.d/ghcr.io/hosts.toml
 * ...
 * </pre>
 */
@Command(
    name = "client-config",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = "Prints the configuration for a container runtime to pull through the proxy.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the configuration was printed",
      "2:bad usage, or the runtime cannot mirror the registry as asked (the message says why)"
    })
final class ClientConfigCommand implements Callable<Integer> {

  @Option(
      names = "--runtime",
      required = true,
      paramLabel = "RUNTIME",
      converter = RuntimeConverter.class,
      completionCandidates = RuntimeNames.class,
      description =
          "The runtime to configure: ${COMPLETION-CANDIDATES} (podman also covers CRI-O).")
  private @Nullable ClientRuntime runtime;

  @Option(
      names = "--registry",
      paramLabel = "HOST",
      defaultValue = "docker.io",
      description = "The registry to mirror (default: ${DEFAULT-VALUE}).")
  private String registry = "docker.io";

  @Option(
      names = "--proxy",
      paramLabel = "HOST:PORT",
      defaultValue = MirrorTarget.DEFAULT_PROXY,
      description = "The address the runtime reaches the proxy at (default: ${DEFAULT-VALUE}).")
  private String proxy = MirrorTarget.DEFAULT_PROXY;

  @Option(
      names = "--path-prefix",
      paramLabel = "ALIAS",
      description =
          "Pull through the proxy's alias rule ALIAS/* (default for podman: the built-in alias"
              + " of a well-known registry, such as ghcr for ghcr.io).")
  private @Nullable String pathPrefix;

  @Option(names = "--tls", description = "The proxy is reached over HTTPS, not plain HTTP.")
  private boolean tls;

  @Option(
      names = "--digest-only",
      description = "Only pulls by digest use the proxy; tags are resolved at the registry.")
  private boolean digestOnly;

  @Option(
      names = "--upstream-url",
      paramLabel = "URL",
      description =
          "The registry's own URL when it is not https://HOST, such as"
              + " http://registry.internal:5000 (containerd's server).")
  private @Nullable URI upstreamUrl;

  @Spec private @Nullable CommandSpec spec;

  @Override
  public Integer call() {
    CommandSpec s = Objects.requireNonNull(spec);
    PrintWriter out = s.commandLine().getOut();
    PrintWriter err = s.commandLine().getErr();
    ClientConfig config;
    try {
      MirrorTarget target =
          MirrorTarget.of(proxy, registry)
              .withTls(tls)
              .withPathPrefix(pathPrefix)
              .withDigestOnly(digestOnly);
      URI url = upstreamUrl;
      if (url != null) {
        target = target.withUpstreamUrl(url);
      }
      config = ClientConfigGenerator.generate(Objects.requireNonNull(runtime), target);
    } catch (ClientConfigException e) {
      err.println("cache-proxy: " + e.getMessage());
      err.flush();
      return CommandLine.ExitCode.USAGE;
    }
    out.print(config.render());
    out.flush();
    return CommandLine.ExitCode.OK;
  }

  /** Reads {@code --runtime}, ignoring case. */
  static final class RuntimeConverter implements ITypeConverter<ClientRuntime> {
    @Override
    public ClientRuntime convert(String value) {
      try {
        return ClientRuntime.parse(value);
      } catch (ClientConfigException e) {
        throw new TypeConversionException(
            "'" + value + "' is not a runtime; write " + ClientRuntime.names());
      }
    }
  }

  /** The runtimes' names, for the help text and shell completion. */
  static final class RuntimeNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return Arrays.stream(ClientRuntime.values()).map(ClientRuntime::id).iterator();
    }
  }
}
