/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.cli;

import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.rules.Rule;
import dev.cacheproxy.server.ProxyServer;
import dev.cacheproxy.server.admin.AdminApi;
import dev.cacheproxy.server.admin.AdminServer;
import dev.cacheproxy.server.admin.ProcessMetrics;
import dev.cacheproxy.server.admin.Readiness;
import dev.cacheproxy.server.admin.StatusHistory;
import dev.cacheproxy.server.admin.StatusPage;
import dev.cacheproxy.server.auth.AccessControl;
import dev.cacheproxy.server.auth.AuthMode;
import dev.cacheproxy.server.auth.AuthSettings;
import dev.cacheproxy.server.config.ConfigException;
import dev.cacheproxy.server.config.ConfigReloader;
import dev.cacheproxy.server.config.ProxyConfig;
import dev.cacheproxy.server.logging.LogFormat;
import dev.cacheproxy.server.logging.LogSetup;
import dev.cacheproxy.server.prewarm.PrewarmScheduler;
import dev.cacheproxy.server.transport.TlsException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code cache-proxy} command: loads the configuration (the built-in one without {@code
 * --config}), applies {@code --port}, {@code --bind-address}, {@code --data-dir} and {@code
 * --admin-port}, starts the server and, when {@code admin.port} is set, the admin listener
 * (metrics, health; {@link AdminServer}), and runs until the JVM is asked to stop (SIGTERM,
 * Ctrl-C), then closes them cleanly. Started with {@code --config}, it reloads the rules and
 * credential sets when the file changes or on {@code SIGHUP} ({@link ConfigReloader}). The {@code
 * rules} subcommand checks and explains a configuration without serving ({@link RulesCommand});
 * {@code warm} and {@code purge} ask a running server's admin listener ({@link WarmCommand}, {@link
 * PurgeCommand}).
 *
 * <p>Exit codes: 0 after a clean stop or for {@code --help} and {@code --version}; 1 when the
 * server fails at run time (for example, the port is taken); 2 for a bad configuration or command
 * line, with the message on standard error and no stack trace.
 */
@Command(
    name = "cache-proxy",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = "A pull-through cache for container registries (OCI distribution API).",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:stopped cleanly", "1:failed while running", "2:bad configuration or usage"},
    subcommands = {
      RulesCommand.class,
      ClientConfigCommand.class,
      VerifyCommand.class,
      GcCommand.class,
      DuCommand.class,
      WarmCommand.class,
      PurgeCommand.class,
      TokensCommand.class,
      UsersCommand.class
    })
public final class ServeCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger("cache-proxy");

  /** Runs a started server until it should stop. */
  @FunctionalInterface
  interface Lifecycle {
    /** Runs until the server should stop; the caller closes {@code running} afterwards. */
    void run(Running running) throws InterruptedException;
  }

  /**
   * What a started server consists of. {@link #close()} stops the admin listener, the reloader and
   * the server (which closes the cache), then the metrics; each part's close is idempotent, so
   * closing twice is harmless.
   *
   * @param server the registry listener
   * @param admin the admin listener; null when {@code admin.port} is 0
   * @param reloader reloads the configuration file; null when the server runs the built-in one
   * @param metrics the registry the cache and the JVM meters record in
   */
  record Running(
      ProxyServer server,
      @Nullable AdminServer admin,
      @Nullable ConfigReloader reloader,
      ProcessMetrics metrics)
      implements AutoCloseable {

    @Override
    public void close() {
      try {
        if (admin != null) {
          admin.close();
        }
        if (reloader != null) {
          reloader.close();
        }
        server.close();
      } finally {
        metrics.close();
      }
    }
  }

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "YAML configuration file (default: the built-in configuration).")
  private @Nullable Path config;

  @Option(
      names = "--port",
      paramLabel = "N",
      description = "Port to listen on; overrides server.port (0: any free port).")
  private @Nullable Integer port;

  @Option(
      names = "--bind-address",
      paramLabel = "ADDR",
      description = "Address to listen on; overrides server.bindAddress (such as 127.0.0.1).")
  private @Nullable String bindAddress;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Cache folder; overrides storage.dataDir.")
  private @Nullable Path dataDir;

  @Option(
      names = "--admin-port",
      paramLabel = "N",
      description =
          "Port of the admin listener (/metrics, /healthz, /readyz and the admin API under"
              + " /admin/, for auth.admins unless auth.mode is anonymous); overrides admin.port (0: no admin"
              + " listener).")
  private @Nullable Integer adminPort;

  @Option(
      names = "--log-format",
      paramLabel = "FORMAT",
      description = "text (default) or json (one JSON object per line); overrides log.format.")
  private @Nullable String logFormat;

  @Spec private @Nullable CommandSpec spec;

  private final Lifecycle lifecycle;

  /** Creates the command; it runs until the JVM shuts down. */
  public ServeCommand() {
    this(ServeCommand::untilShutdown);
  }

  ServeCommand(Lifecycle lifecycle) {
    this.lifecycle = lifecycle;
  }

  /**
   * Parses {@code args}, runs the command and returns its exit code, writing usage and errors to
   * {@code out} and {@code err}.
   */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    return commandLine(new ServeCommand(), out, err).execute(args);
  }

  static CommandLine commandLine(ServeCommand command, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(command);
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      LOG.debug("cache-proxy failed", e);
      commandLine.getErr().println("cache-proxy: " + message(e));
      commandLine.getErr().flush();
      return CommandLine.ExitCode.SOFTWARE;
    });
    return cli;
  }

  /** Loads the configuration, starts the server and runs it; returns the exit code. */
  @Override
  public Integer call() throws InterruptedException {
    ProxyConfig settings;
    CacheProxy proxy;
    String loadedText = "";
    ProcessMetrics metrics = ProcessMetrics.start();
    try {
      if (config != null) {
        loadedText = ProxyConfig.read(config);
      }
      settings =
          overrides(config == null ? ProxyConfig.builtIn() : ProxyConfig.parse(config, loadedText));
      LogSetup.apply(settings.logFormat());
      LogSetup.accessLog(settings.accessLog());
      // Without the admin listener nobody can read the meters: record none.
      proxy =
          settings.adminEnabled()
              ? settings.newCacheProxy(metrics.registry())
              : settings.newCacheProxy();
    } catch (ConfigException e) {
      metrics.close();
      PrintWriter err = err();
      err.println("cache-proxy: configuration error: " + e.getMessage());
      err.flush();
      return CommandLine.ExitCode.USAGE;
    } catch (RuntimeException | Error e) {
      metrics.close();
      throw e;
    }
    Instant loadedAt = Instant.now();
    AccessControl access;
    ProxyServer started;
    try {
      access = accessControl(settings);
      started = ProxyServer.start(proxy, settings.registryListener(), access);
    } catch (IllegalArgumentException | TlsException e) {
      proxy.close();
      metrics.close();
      PrintWriter err = err();
      err.println("cache-proxy: configuration error: " + e.getMessage());
      err.flush();
      return CommandLine.ExitCode.USAGE;
    }
    try (metrics;
        ProxyServer server = started) {
      LOG.info(
          "cache-proxy listening on {}://{}:{} (data: {}, {} rules, auth {}{})",
          server.scheme(),
          settings.bindAddress(),
          server.port(),
          settings.dataDirectory().toAbsolutePath().normalize(),
          settings.rules().rules().size(),
          access.mode().configName(),
          settings.registryListener().allow().acceptsEveryone()
              ? ""
              : ", clients from " + settings.registryListener().allow());
      LOG.info("  storage {}", ProxyConfig.describe(settings.storage()));
      for (Rule rule : settings.rules().rules()) {
        LOG.info("  rule {}", ProxyConfig.describe(rule));
      }
      Path file = config;
      try (ConfigReloader reloader =
              file == null
                  ? null
                  : ConfigReloader.start(file, settings, loadedText, this::overrides, proxy);
          PrewarmScheduler prewarm = startPrewarm(settings, proxy);
          StatusHistory history =
              settings.adminEnabled() ? StatusHistory.start(proxy.meterRegistry()) : null;
          AdminServer admin =
              startAdmin(settings, metrics, proxy, reloader, loadedAt, history, access)) {
        if (reloader != null) {
          reloader.onAuthChange(access::update);
        }
        lifecycle.run(new Running(server, admin, reloader, metrics));
      }
    }
    return CommandLine.ExitCode.OK;
  }

  /** Starts the admin listener, or returns null when {@code admin.port} is 0. */
  private static @Nullable AdminServer startAdmin(
      ProxyConfig settings,
      ProcessMetrics metrics,
      CacheProxy proxy,
      @Nullable ConfigReloader reloader,
      Instant loadedAt,
      @Nullable StatusHistory history,
      AccessControl access) {
    if (!settings.adminEnabled() || history == null) {
      LOG.info("no admin listener (admin.port is 0): /metrics, /healthz and /readyz are off");
      return null;
    }
    Readiness readiness =
        new Readiness(
            proxy,
            settings.dataDirectory(),
            reloader == null ? () -> loadedAt : reloader::loadedAt);
    return AdminServer.start(
        settings.adminListener(),
        metrics.registry(),
        readiness,
        new AdminApi(proxy, reloader),
        new StatusPage(proxy, history),
        access);
  }

  /**
   * The access control {@code auth:} configures, warning when credentials would cross the network
   * in clear text.
   */
  private static AccessControl accessControl(ProxyConfig settings) {
    AuthSettings auth = settings.security().auth();
    if (auth.mode() == AuthMode.ANONYMOUS) {
      return AccessControl.anonymous();
    }
    if (settings.security().tls() == null && !loopback(settings.bindAddress())) {
      LOG.warn(
          "auth.mode is {} but the registry listener on {} speaks plain HTTP: passwords and"
              + " tokens cross the network in clear text; configure tls: or put a TLS proxy in"
              + " front",
          auth.mode().configName(),
          settings.bindAddress());
    }
    return AccessControl.create(auth, settings.dataDirectory(), java.time.Clock.systemUTC());
  }

  private static boolean loopback(String address) {
    return address.startsWith("127.") || address.equals("::1") || address.equals("localhost");
  }

  /** Starts the scheduled pre-warm jobs, or returns null when there are none. */
  private static @Nullable PrewarmScheduler startPrewarm(ProxyConfig settings, CacheProxy proxy) {
    if (settings.prewarm().isEmpty()) {
      return null;
    }
    PrewarmScheduler scheduler = new PrewarmScheduler(settings.prewarm(), proxy);
    scheduler.start();
    return scheduler;
  }

  /**
   * Applies {@code --port}, {@code --bind-address}, {@code --data-dir} and {@code --admin-port} to
   * a configuration.
   */
  private ProxyConfig overrides(ProxyConfig settings) {
    ProxyConfig result = settings;
    if (adminPort != null) {
      result = result.withAdminPort(adminPort);
    }
    if (logFormat != null) {
      try {
        result = result.withLogFormat(LogFormat.parse(logFormat));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("--log-format: " + e.getMessage(), e);
      }
    }
    if (port != null) {
      result = result.withPort(port);
    }
    if (bindAddress != null) {
      result = result.withBindAddress(bindAddress);
    }
    if (dataDir != null) {
      result = result.withDataDirectory(dataDir);
    }
    return result;
  }

  private PrintWriter err() {
    CommandSpec s = spec;
    return s == null
        ? new PrintWriter(System.err, true, System.err.charset())
        : s.commandLine().getErr();
  }

  private static void untilShutdown(Running running) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LOG.info("cache-proxy stopping");
                  running.close();
                  LOG.info("cache-proxy stopped");
                  stopped.countDown();
                },
                "cache-proxy-shutdown"));
    stopped.await();
  }

  private static String message(Throwable e) {
    String message = e.getMessage();
    return message == null ? e.getClass().getSimpleName() : message;
  }
}
