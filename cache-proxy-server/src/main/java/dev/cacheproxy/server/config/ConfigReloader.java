/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.config;

import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.server.auth.AuthSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the rules and credential sets of a running server from its configuration file, when the
 * file changes and when the process gets {@code SIGHUP}. A reload parses and validates the whole
 * file and reads every password; only then does it swap the rules and credentials of the {@link
 * CacheProxy} at once ({@link CacheProxy#update}). An invalid file is refused with a WARN line and
 * the running rules stay. Settings only a restart applies (port, bind address, data folder, storage
 * limits, upstream, admin listener) are compared and logged as ignored until restart: the data
 * folder's lock and the evictor are set up when the cache starts. A rule's retention ({@code
 * keepFor}, {@code pinned}) is part of the rules, so it applies at once: eviction reads the current
 * rules.
 *
 * <p>Watching ({@link FileWatch}): the file's folder is watched, so an editor that saves by
 * renaming a temporary file over the original and a Kubernetes ConfigMap volume that swaps its
 * {@code ..data} symlink are both noticed, and bursts of events are debounced. Each time, the file
 * is read and reloaded only if its text differs from the last text read.
 *
 * <p>Concurrency: one daemon thread watches; a {@code SIGHUP} starts a virtual thread; {@code POST
 * /admin/reload} calls {@link #reloadNow} on an admin worker thread. They only call {@link
 * #reload}, {@link #reloadNow} or {@link #check}, which hold {@code lock} for the whole reload, so
 * reloads never interleave and the last one to finish is the one in force. Requests in flight keep
 * the route they resolved before a swap.
 */
public final class ConfigReloader implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ConfigReloader.class);

  /** How long the folder must be quiet after an event before the file is read. */
  static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(300);

  /** How often the file is read when no event arrives. */
  static final Duration DEFAULT_RESCAN = Duration.ofSeconds(30);

  /** What a reload did. */
  public enum Outcome {
    /** The new rules and credentials are in force. */
    APPLIED,
    /** The file was invalid or unreadable; the previous rules stay. */
    REFUSED,
    /** The file's text had not changed since it was last read; nothing was done. */
    UNCHANGED
  }

  private final Path file;
  private final CacheProxy proxy;
  private final ProxyConfig started;
  private final UnaryOperator<ProxyConfig> overrides;
  private final Function<String, @Nullable String> environment;
  private final Consumer<Outcome> listener;
  private final Duration debounce;
  private final Duration rescan;
  private final Clock clock;
  private final ReentrantLock lock = new ReentrantLock();

  // Guarded by lock.
  private ProxyConfig current;
  private @Nullable String lastText;
  private boolean missingLogged;

  /** When the configuration in force was loaded: at start, then at each applied reload. */
  private volatile Instant loadedAt;

  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Consumer<AuthSettings> authConsumer = settings -> {};
  private volatile @Nullable FileWatch watch;
  private volatile @Nullable HangUpSignal hangUp;

  /**
   * Sends the {@code auth:} settings of every applied reload to {@code consumer} (the server's
   * access control), as long as the auth mode and key files are those the server started with: a
   * change of those needs a restart, and {@link ConfigDiff#restartOnly} says so.
   */
  public void onAuthChange(Consumer<AuthSettings> consumer) {
    authConsumer = consumer;
  }

  private void applyAuth(AuthSettings next) {
    AuthSettings running = started.security().auth();
    if (next.mode() == running.mode()
        && java.util.Objects.equals(next.htpasswd(), running.htpasswd())
        && java.util.Objects.equals(next.tokensFile(), running.tokensFile())
        && java.util.Objects.equals(next.signingKeyFile(), running.signingKeyFile())) {
      authConsumer.accept(next);
    }
  }

  ConfigReloader(
      Path file,
      ProxyConfig running,
      UnaryOperator<ProxyConfig> overrides,
      CacheProxy proxy,
      Function<String, @Nullable String> environment,
      Duration debounce,
      Duration rescan,
      Consumer<Outcome> listener) {
    this(
        file,
        running,
        overrides,
        proxy,
        environment,
        debounce,
        rescan,
        listener,
        Clock.systemUTC());
  }

  ConfigReloader(
      Path file,
      ProxyConfig running,
      UnaryOperator<ProxyConfig> overrides,
      CacheProxy proxy,
      Function<String, @Nullable String> environment,
      Duration debounce,
      Duration rescan,
      Consumer<Outcome> listener,
      Clock clock) {
    this.clock = clock;
    this.loadedAt = clock.instant();
    this.file = file.toAbsolutePath().normalize();
    this.started = running;
    this.current = running;
    this.overrides = overrides;
    this.proxy = proxy;
    this.environment = environment;
    this.debounce = debounce;
    this.rescan = rescan;
    this.listener = listener;
  }

  /**
   * Starts watching {@code file} and handling {@code SIGHUP} for a server started from it.
   *
   * @param running the configuration the server runs with, {@code overrides} applied
   * @param loadedText the file's text that {@code running} was parsed from: a file that differs
   *     from it by the time watching starts is reloaded at once
   * @param overrides the command-line options to apply to each reloaded configuration (such as
   *     {@code --port}), so they are not mistaken for changes
   * @param proxy the cache whose rules and credentials are replaced; not closed by the reloader
   */
  public static ConfigReloader start(
      Path file,
      ProxyConfig running,
      String loadedText,
      UnaryOperator<ProxyConfig> overrides,
      CacheProxy proxy) {
    ConfigReloader reloader =
        new ConfigReloader(
            file,
            running,
            overrides,
            proxy,
            System::getenv,
            DEFAULT_DEBOUNCE,
            DEFAULT_RESCAN,
            outcome -> {});
    reloader.startWatching(loadedText);
    reloader.handleHangUp();
    boolean watching = reloader.watch != null;
    if (watching || reloader.handlesHangUp()) {
      LOG.info(
          "reloading {}{}{}",
          reloader.file,
          watching ? " when it changes" : "",
          reloader.handlesHangUp()
              ? (watching ? " and" : "")
                  + " on SIGHUP (kill -HUP "
                  + ProcessHandle.current().pid()
                  + ")"
              : "");
    }
    return reloader;
  }

  /**
   * Starts watching the file, taking {@code loadedText} as what is in force, and applies the file
   * at once if it changed since it was loaded (a change in that gap would otherwise wait for the
   * next one).
   */
  void startWatching(String loadedText) {
    lock.lock();
    try {
      lastText = loadedText;
    } finally {
      lock.unlock();
    }
    watch = FileWatch.start(file, debounce, rescan, this::check).orElse(null);
    check();
  }

  /** Starts watching the file; when it cannot be watched, logs that only SIGHUP reloads. */
  void startWatching() {
    lock.lock();
    try {
      lastText = read();
    } catch (IOException e) {
      lastText = null;
    } finally {
      lock.unlock();
    }
    watch = FileWatch.start(file, debounce, rescan, this::check).orElse(null);
  }

  /** Reloads on {@code SIGHUP}, on a new virtual thread. */
  void handleHangUp() {
    hangUp =
        HangUpSignal.install(() ->
                Thread.ofVirtual()
                    .name("cache-proxy-reload")
                    .start(() -> {
                      LOG.info("SIGHUP: reloading {}", file);
                      reload();
                    }))
            .orElse(null);
  }

  /** Whether {@code SIGHUP} reloads (signals are available and the handler is installed). */
  public boolean handlesHangUp() {
    return hangUp != null;
  }

  /**
   * Reads, validates and applies the file now, even if its text has not changed.
   *
   * @return {@link Outcome#APPLIED} or {@link Outcome#REFUSED}
   */
  public Outcome reload() {
    return load(true);
  }

  /**
   * What {@link #reloadNow()} did.
   *
   * @param outcome {@link Outcome#APPLIED} or {@link Outcome#REFUSED}
   * @param message what was applied (the rule count and changes) or why the file was refused, as
   *     the log line says it
   * @param rules how many rules are in force afterwards
   * @param loadedAt when the configuration in force was loaded
   */
  public record Result(Outcome outcome, String message, int rules, Instant loadedAt) {}

  /**
   * Reads, validates and applies the file now, even if its text has not changed, as {@code SIGHUP}
   * does, and tells what happened.
   */
  public Result reloadNow() {
    Result result;
    lock.lock();
    try {
      result = loadLocked(true);
    } finally {
      lock.unlock();
    }
    listener.accept(result.outcome());
    return result;
  }

  /** Reads the file and reloads it if its text changed since it was last read. */
  Outcome check() {
    if (closed.get()) {
      return Outcome.UNCHANGED;
    }
    return load(false);
  }

  /** The configuration in force: the one started with, or the last one applied. */
  public ProxyConfig current() {
    lock.lock();
    try {
      return current;
    } finally {
      lock.unlock();
    }
  }

  /**
   * When the configuration in force was loaded: when the reloader started (just after the server
   * read the file), then when the last reload was applied. A refused reload does not change it.
   */
  public Instant loadedAt() {
    return loadedAt;
  }

  private Outcome load(boolean always) {
    Outcome outcome;
    lock.lock();
    try {
      outcome = loadLocked(always).outcome();
    } finally {
      lock.unlock();
    }
    listener.accept(outcome);
    return outcome;
  }

  private Result loadLocked(boolean always) {
    String text;
    try {
      text = read();
    } catch (NoSuchFileException e) {
      String reason = file + " does not exist; the rules stay as they are";
      if (always || !missingLogged) {
        LOG.warn("configuration reload refused: {}", reason);
        missingLogged = true;
      }
      return refused(reason);
    } catch (IOException e) {
      String reason = "cannot read " + file + ": " + e;
      LOG.warn("configuration reload refused: {}", reason);
      return refused(reason);
    }
    missingLogged = false;
    if (!always && text.equals(lastText)) {
      return new Result(Outcome.UNCHANGED, "unchanged", current.rules().rules().size(), loadedAt);
    }
    lastText = text;
    if (text.isBlank()) {
      // At start an empty file means the built-in configuration; here it is far more likely a
      // write in progress, and serving the built-in rules meanwhile would reroute every pull.
      String reason = file + " is empty; the rules stay as they are";
      LOG.warn("configuration reload refused: {}", reason);
      return refused(reason);
    }
    ProxyConfig next;
    ConfiguredCredentialSource credentials;
    try {
      next = overrides.apply(ProxyConfig.parse(text));
      credentials = next.credentialSource(environment);
      credentials.checkAll();
      proxy.update(next.rules(), credentials);
      applyAuth(next.security().auth());
    } catch (ConfigException | IllegalArgumentException e) {
      String reason = file + ": " + e.getMessage();
      LOG.warn("configuration reload refused: {}", reason);
      return refused(reason);
    }
    String applied =
        next.rules().rules().size() + " rules (" + ConfigDiff.describe(current, next) + ")";
    LOG.info("configuration reloaded: {}", applied);
    for (String change : ConfigDiff.restartOnly(started, next)) {
      LOG.warn("{}: ignored until restart", change);
    }
    current = next;
    loadedAt = clock.instant();
    return new Result(
        Outcome.APPLIED,
        "configuration reloaded: " + applied,
        next.rules().rules().size(),
        loadedAt);
  }

  private Result refused(String reason) {
    return new Result(
        Outcome.REFUSED,
        "configuration reload refused: " + reason,
        current.rules().rules().size(),
        loadedAt);
  }

  private String read() throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  /**
   * Stops watching, puts back the previous {@code SIGHUP} handler and waits for the watch thread.
   * Calling it again does nothing.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    HangUpSignal signal = hangUp;
    if (signal != null) {
      signal.close();
    }
    FileWatch w = watch;
    if (w != null) {
      w.close();
    }
  }
}
