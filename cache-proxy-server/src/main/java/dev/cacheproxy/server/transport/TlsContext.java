/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.transport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS side of a listener: an {@link SSLContext} (TLS 1.3 and 1.2) serving the certificate and
 * key of {@link TlsSettings}, reloaded when the PEM files change, so a renewed certificate
 * (cert-manager, certbot, a Kubernetes secret) serves new connections without a restart.
 *
 * <p>A daemon thread checks every {@link #reloadInterval()} whether either file's resolved path
 * (symbolic links followed, as in a Kubernetes secret volume), modification time or size changed. A
 * pair that loads and matches replaces the served one (INFO with its subject and expiry); a pair
 * that does not keeps the old one serving (WARN naming the file and the problem, once per change).
 * The interval is 10 seconds, or the milliseconds of the system property {@value #RELOAD_PROPERTY}.
 *
 * <p>Threading: handshakes read the current pair through the key manager; only the reload thread
 * (or a caller of {@link #checkNow()}) loads and swaps, one at a time. {@link #close()} stops the
 * thread and is idempotent.
 */
public final class TlsContext implements AutoCloseable {

  /** The system property that sets the reload interval in milliseconds. */
  public static final String RELOAD_PROPERTY = "cacheproxy.tls.reloadMillis";

  /** How often the files are checked unless {@value #RELOAD_PROPERTY} says otherwise. */
  static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(10);

  /** The protocols offered: TLS 1.3 and 1.2. */
  public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  private static final Logger LOG = LoggerFactory.getLogger(TlsContext.class);
  private static final AtomicLong LOADS = new AtomicLong();

  private final TlsSettings settings;
  private final Clock clock;
  private final Duration reloadInterval;
  private final CertificateKeyManager keyManager;
  private final SSLContext sslContext;
  private final Object reloadLock = new Object();
  private @Nullable ScheduledExecutorService reloader;

  // Guarded by reloadLock.
  private FileStamps seen;

  private TlsContext(
      TlsSettings settings,
      Clock clock,
      Duration reloadInterval,
      ServerCertificate first,
      FileStamps stamps) {
    this.settings = settings;
    this.clock = clock;
    this.reloadInterval = reloadInterval;
    this.keyManager = new CertificateKeyManager(first);
    this.seen = stamps;
    try {
      this.sslContext = SSLContext.getInstance("TLS");
      sslContext.init(new KeyManager[] {keyManager}, null, null);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot make a TLS context", e);
    }
  }

  /**
   * Loads the pair of {@code settings} and starts checking the files for changes every {@link
   * #reloadInterval()}.
   *
   * @throws TlsException naming the file and the problem when the pair cannot serve
   */
  public static TlsContext start(TlsSettings settings) {
    return start(settings, configuredInterval(), Clock.systemUTC());
  }

  /**
   * Loads the pair of {@code settings} and checks the files every {@code reloadInterval}; {@code
   * clock} tells the time for the expiry warning.
   *
   * @throws TlsException naming the file and the problem when the pair cannot serve
   */
  public static TlsContext start(TlsSettings settings, Duration reloadInterval, Clock clock) {
    TlsContext context = load(settings, reloadInterval, clock);
    ScheduledExecutorService executor =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("cache-proxy-tls-reload").factory());
    long millis = Math.max(1, reloadInterval.toMillis());
    // checkQuietly catches and logs every failure, so the future has nothing to tell.
    var unused =
        executor.scheduleWithFixedDelay(
            context::checkQuietly, millis, millis, TimeUnit.MILLISECONDS);
    context.reloader = executor;
    return context;
  }

  /** Loads the pair of {@code settings} without a reload thread ({@link #checkNow()} reloads). */
  static TlsContext load(TlsSettings settings, Duration reloadInterval, Clock clock) {
    FileStamps stamps = FileStamps.of(settings);
    ServerCertificate first = ServerCertificate.load(settings, nextAlias());
    TlsContext context = new TlsContext(settings, clock, reloadInterval, first, stamps);
    LOG.info(
        "TLS certificate {} from {}, key {}",
        first.describe(),
        settings.certificate(),
        settings.key());
    first.expiryWarning(settings.certificate(), clock.instant()).ifPresent(LOG::warn);
    return context;
  }

  /** The context to give Undertow's HTTPS listener. */
  public SSLContext sslContext() {
    return sslContext;
  }

  /** The settings this context serves. */
  public TlsSettings settings() {
    return settings;
  }

  /** How often the files are checked for changes. */
  public Duration reloadInterval() {
    return reloadInterval;
  }

  /** The pair served now. */
  ServerCertificate current() {
    return keyManager.current();
  }

  /**
   * Checks the files once and swaps in their pair when they changed and load; returns whether a new
   * pair now serves.
   */
  boolean checkNow() {
    synchronized (reloadLock) {
      FileStamps now = FileStamps.of(settings);
      if (now.equals(seen)) {
        return false;
      }
      seen = now;
      ServerCertificate next;
      try {
        next = ServerCertificate.load(settings, nextAlias());
      } catch (TlsException e) {
        LOG.warn("TLS certificate not reloaded, the old one keeps serving: {}", e.getMessage());
        return false;
      }
      keyManager.swap(next);
      LOG.info("TLS certificate reloaded: {}", next.describe());
      next.expiryWarning(settings.certificate(), clock.instant()).ifPresent(LOG::warn);
      return true;
    }
  }

  private void checkQuietly() {
    try {
      checkNow();
    } catch (RuntimeException e) {
      LOG.warn("checking the TLS certificate files failed; trying again in {}", reloadInterval, e);
    }
  }

  /** Stops checking the files. Calling it again does nothing. */
  @Override
  public void close() {
    ScheduledExecutorService executor = reloader;
    if (executor != null) {
      executor.shutdownNow();
    }
  }

  private static String nextAlias() {
    return "cache-proxy-" + LOADS.incrementAndGet();
  }

  private static Duration configuredInterval() {
    String value = System.getProperty(RELOAD_PROPERTY);
    if (value == null || value.isBlank()) {
      return DEFAULT_RELOAD_INTERVAL;
    }
    try {
      long millis = Long.parseLong(value.strip());
      if (millis > 0) {
        return Duration.ofMillis(millis);
      }
    } catch (NumberFormatException e) {
      // falls through to the warning
    }
    LOG.warn(
        "-D{}={} is not a positive number of milliseconds; checking every {}",
        RELOAD_PROPERTY,
        value,
        DEFAULT_RELOAD_INTERVAL);
    return DEFAULT_RELOAD_INTERVAL;
  }

  /** What tells that the certificate or key file changed: both files' stamps. */
  private record FileStamps(FileStamp certificate, FileStamp key) {

    static FileStamps of(TlsSettings settings) {
      return new FileStamps(FileStamp.of(settings.certificate()), FileStamp.of(settings.key()));
    }
  }

  /**
   * One file's resolved path, identity (device and inode, which a rename over it changes),
   * modification time and size; a file that cannot be read has only its problem, so that it
   * changing back is noticed.
   */
  private record FileStamp(String resolved, String identity, long modifiedMillis, long size) {

    static FileStamp of(Path file) {
      try {
        Path real = file.toRealPath();
        BasicFileAttributes attributes = Files.readAttributes(real, BasicFileAttributes.class);
        return new FileStamp(
            real.toString(),
            String.valueOf(attributes.fileKey()),
            attributes.lastModifiedTime().toMillis(),
            attributes.size());
      } catch (IOException e) {
        return new FileStamp(Objects.toString(e.getMessage(), e.toString()), "", -1, -1);
      }
    }
  }
}
