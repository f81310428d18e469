/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.admin;

import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.core.UpstreamHealth;
import dev.cacheproxy.core.storage.ByteSizes;
import dev.cacheproxy.core.storage.RepositoryUsage;
import dev.cacheproxy.core.storage.StorageStatus;
import dev.cacheproxy.core.storage.UsageReport;
import dev.cacheproxy.rules.Rule;
import dev.cacheproxy.server.admin.StatusHistory.Counts;
import dev.cacheproxy.server.admin.StatusHistory.Sample;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * The admin listener's status page, {@code GET /} and {@code /status}: one self-contained HTML page
 * rendered on the server (inline CSS and SVG, no script, no external assets) that reloads itself
 * every 10 seconds. It shows the uptime, the hit ratio and the bytes saved over the last hour and
 * since start (from {@link StatusHistory}), the largest cached repositories, the upstreams' health,
 * the disk usage and the rules with their match counts. Read-only. Every dynamic string is escaped
 * for HTML: repository names come from clients.
 *
 * <p>Concurrency: stateless apart from what it reads; {@link #handle} may run on several threads at
 * once. It reads the proxy's state from memory and so may run on any worker thread, never on an IO
 * thread ({@link #handleRequest} dispatches).
 */
public final class StatusPage implements HttpHandler {

  /** The page's content type. */
  static final String HTML = "text/html; charset=utf-8";

  /** How many repositories the page lists. */
  static final int TOP_REPOSITORIES = 10;

  /** How often the page reloads itself, in seconds. */
  static final int REFRESH_SECONDS = 10;

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private final CacheProxy proxy;
  private final StatusHistory history;
  private final Clock clock;

  /** A page over {@code proxy}'s state and {@code history}, its traffic over the last hour. */
  public StatusPage(CacheProxy proxy, StatusHistory history) {
    this(proxy, history, Clock.systemUTC());
  }

  StatusPage(CacheProxy proxy, StatusHistory history, Clock clock) {
    this.proxy = proxy;
    this.history = history;
    this.clock = clock;
  }

  /**
   * What the page shows, read at one moment.
   *
   * @param now when it was read
   * @param startedAt when the server started
   * @param samples the traffic per interval over the last hour, oldest first
   * @param sinceStart the traffic since start
   * @param usage the cache's space per repository
   * @param upstreams the upstreams' health
   * @param storage the storage's state
   * @param rules the rules in force
   * @param ruleMatches how many requests each rule routed since start, by rule name
   */
  record Snapshot(
      Instant now,
      Instant startedAt,
      List<Sample> samples,
      Counts sinceStart,
      UsageReport usage,
      List<UpstreamHealth> upstreams,
      StorageStatus storage,
      List<Rule> rules,
      Map<String, Long> ruleMatches) {

    /** Copies the collections. */
    Snapshot {
      samples = List.copyOf(samples);
      upstreams = List.copyOf(upstreams);
      rules = List.copyOf(rules);
      ruleMatches = Map.copyOf(ruleMatches);
    }
  }

  /** Dispatches to a worker thread when called on an IO thread, then {@link #handle}s. */
  @Override
  public void handleRequest(HttpServerExchange exchange) {
    if (exchange.isInIoThread()) {
      exchange.dispatch(this);
      return;
    }
    handle(exchange);
  }

  /**
   * Renders the page and sends it as {@code text/html; charset=utf-8} with {@code Cache-Control:
   * no-store}. Runs on a worker thread; the caller routes and checks the method.
   */
  public void handle(HttpServerExchange exchange) {
    byte[] body = render(snapshot()).getBytes(StandardCharsets.UTF_8);
    exchange.setStatusCode(200);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, HTML);
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
    exchange.getResponseHeaders().put(Headers.X_CONTENT_TYPE_OPTIONS, "nosniff");
    exchange
        .getResponseHeaders()
        .put(
            Headers.CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    exchange.setResponseContentLength(body.length);
    exchange.getResponseSender().send(ByteBuffer.wrap(body));
  }

  /** Reads what the page shows now. */
  Snapshot snapshot() {
    return new Snapshot(
        clock.instant(),
        history.startedAt(),
        history.samples(),
        history.totals(),
        proxy.storageUsage(),
        proxy.upstreamHealth(),
        proxy.storageStatus(),
        proxy.rules().rules(),
        proxy.ruleMatches());
  }

  /** The page for {@code s}, a pure function of it. */
  static String render(Snapshot s) {
    StringBuilder html = new StringBuilder(16 * 1024);
    html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta http-equiv=\"refresh\" content=\"")
        .append(REFRESH_SECONDS)
        .append("\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>cache-proxy status</title><style>")
        .append(StatusStyle.CSS)
        .append("</style></head><body><header><h1>cache-proxy</h1><p class=\"muted\">")
        .append(TIME.format(s.now()))
        .append(" · read-only · refreshes every ")
        .append(REFRESH_SECONDS)
        .append(" s</p></header>\n");
    summary(html, s);
    repositories(html, s.usage());
    upstreams(html, s.upstreams());
    disk(html, s.storage());
    rules(html, s.rules(), s.ruleMatches());
    return html.append("</body></html>\n").toString();
  }

  private static void summary(StringBuilder html, Snapshot s) {
    Counts hour = StatusHistory.sum(s.samples());
    Counts total = s.sinceStart();
    html.append("<section id=\"summary\"><h2>Summary</h2><div class=\"tiles\">");
    tile(html, "Uptime", uptime(Duration.between(s.startedAt(), s.now())), "since start");
    tile(html, "Hit ratio, last hour", percent(hour.hitRatio()), hour.requests() + " requests");
    tile(html, "Hit ratio, since start", percent(total.hitRatio()), total.requests() + " requests");
    tile(
        html,
        "Bytes saved, last hour",
        ByteSizes.format(hour.cachedBytes()),
        "served from the cache");
    tile(
        html,
        "Bytes saved, since start",
        ByteSizes.format(total.cachedBytes()),
        ByteSizes.format(total.upstreamBytes()) + " fetched upstream");
    tile(
        html,
        "Requests, since start",
        Long.toString(total.requests()),
        total.cachedRequests() + " from the cache");
    html.append("</div><div class=\"charts\"><figure>")
        .append(StatusChart.hitRatio(s.samples()))
        .append("<figcaption><span class=\"key\" style=\"background:")
        .append(StatusChart.RATIO_COLOUR)
        .append("\"></span>Hit ratio per ")
        .append(StatusHistory.INTERVAL.toSeconds())
        .append(" s, last hour</figcaption></figure><figure>")
        .append(StatusChart.bytes(s.samples()))
        .append("<figcaption><span class=\"key\" style=\"background:")
        .append(StatusChart.CACHED_COLOUR)
        .append("\"></span>served from the cache <span class=\"key\" style=\"background:")
        .append(StatusChart.UPSTREAM_COLOUR)
        .append("\"></span>fetched upstream, per ")
        .append(StatusHistory.INTERVAL.toSeconds())
        .append(" s</figcaption></figure></div></section>\n");
  }

  private static void tile(StringBuilder html, String label, String value, String detail) {
    html.append("<div class=\"tile\"><div class=\"label\">")
        .append(escape(label))
        .append("</div><div class=\"value\">")
        .append(escape(value))
        .append("</div><div class=\"muted\">")
        .append(escape(detail))
        .append("</div></div>");
  }

  private static void repositories(StringBuilder html, UsageReport usage) {
    html.append("<section id=\"repositories\"><h2>Top repositories by cached size</h2>");
    List<RepositoryUsage> top =
        usage.repositories().stream()
            .sorted(Comparator.comparingLong(RepositoryUsage::bytes).reversed())
            .limit(TOP_REPOSITORIES)
            .toList();
    if (top.isEmpty()) {
      html.append("<p class=\"empty\">The cache is empty.</p></section>\n");
      return;
    }
    html.append("<table><thead><tr><th>Repository</th><th>Rule</th><th class=\"num\">Manifests")
        .append("</th><th class=\"num\">Size</th><th class=\"num\">Only here</th>")
        .append("<th>Last pull</th></tr></thead><tbody>");
    for (RepositoryUsage r : top) {
      html.append("<tr><td class=\"name\">")
          .append(escape(r.registry() + "/" + r.repository()))
          .append("</td><td>")
          .append(escape(r.rule() == null ? "–" : r.rule()))
          .append("</td><td class=\"num\">")
          .append(r.manifests())
          .append("</td><td class=\"num\">")
          .append(ByteSizes.format(r.bytes()))
          .append("</td><td class=\"num\">")
          .append(ByteSizes.format(r.exclusiveBytes()))
          .append("</td><td>")
          .append(r.lastPullTime().map(TIME::format).orElse("–"))
          .append("</td></tr>");
    }
    html.append("</tbody></table><p class=\"muted\">")
        .append(usage.repositories().size())
        .append(" repositories, ")
        .append(usage.blobs())
        .append(" blobs, ")
        .append(ByteSizes.format(usage.blobBytes()))
        .append("; ")
        .append(usage.orphans())
        .append(" unreferenced blobs (")
        .append(ByteSizes.format(usage.orphanBytes()))
        .append(")</p></section>\n");
  }

  private static void upstreams(StringBuilder html, List<UpstreamHealth> upstreams) {
    html.append("<section id=\"upstreams\"><h2>Upstream health</h2>");
    if (upstreams.isEmpty()) {
      html.append("<p class=\"empty\">No upstream was called since start.</p></section>\n");
      return;
    }
    html.append("<table><thead><tr><th>Registry</th><th>Available</th><th>Endpoints</th>")
        .append("<th class=\"num\">Open calls</th><th class=\"num\">Stale serves</th></tr>")
        .append("</thead><tbody>");
    for (UpstreamHealth h : upstreams) {
      html.append("<tr><td class=\"name\">")
          .append(escape(h.registry()))
          .append("</td><td>")
          .append(h.available() ? badge("ok", "yes") : badge("bad", "no"))
          .append("</td><td>");
      if (h.endpoints().isEmpty()) {
        html.append("<span class=\"muted\">none called yet</span>");
      }
      for (UpstreamHealth.Endpoint e : h.endpoints()) {
        html.append("<div>")
            .append(
                switch (e.circuit()) {
                  case CLOSED -> badge("ok", "closed");
                  case HALF_OPEN -> badge("warn", "half-open");
                  case OPEN -> badge("bad", "open");
                })
            .append(' ')
            .append(escape(e.url().toString()));
        if (e.failureRate() >= 0) {
          html.append(" <span class=\"muted\">")
              .append(String.format(Locale.ROOT, "%.0f", e.failureRate()))
              .append(" % of ")
              .append(e.recentCalls())
              .append(" calls failed</span>");
        }
        Instant until = e.backedOffUntil();
        if (until != null) {
          html.append(' ').append(badge("warn", "backed off until " + TIME.format(until)));
        }
        html.append("</div>");
      }
      html.append("</td><td class=\"num\">")
          .append(h.openCalls())
          .append(" / ")
          .append(h.maxConcurrentRequests())
          .append("</td><td class=\"num\">")
          .append(h.staleServes())
          .append("</td></tr>");
    }
    html.append("</tbody></table></section>\n");
  }

  private static void disk(StringBuilder html, StorageStatus s) {
    html.append("<section id=\"disk\"><h2>Disk usage</h2><dl>")
        .append("<dt>Used</dt><dd>")
        .append(ByteSizes.format(s.usedBytes()))
        .append(" in ")
        .append(s.blobs())
        .append(" blobs</dd><dt>Limit</dt><dd>");
    if (s.settings().bounded()) {
      long max = s.settings().maxSize();
      html.append(ByteSizes.format(max))
          .append(" (")
          .append(String.format(Locale.ROOT, "%.0f", 100.0 * s.usedBytes() / max))
          .append(" % used)");
    } else {
      html.append("no limit");
    }
    html.append("</dd><dt>Usable free</dt><dd>")
        .append(s.usableBytes() == Long.MAX_VALUE ? "unknown" : ByteSizes.format(s.usableBytes()))
        .append("</dd><dt>Evictions</dt><dd>")
        .append(s.evictions())
        .append(" images, ")
        .append(ByteSizes.format(s.evictedBytes()))
        .append(" since start</dd><dt>Being read</dt><dd>")
        .append(s.leasedBlobs())
        .append(" blobs</dd></dl></section>\n");
  }

  private static void rules(StringBuilder html, List<Rule> rules, Map<String, Long> matches) {
    html.append("<section id=\"rules\"><h2>Rules</h2><table><thead><tr><th>Rule</th>")
        .append("<th>Target</th><th>Source</th><th>Mode</th><th class=\"num\">Matches</th>")
        .append("</tr></thead><tbody>");
    Set<String> listed = new HashSet<>();
    for (Rule r : rules) {
      listed.add(r.name());
      rule(
          html,
          r.name(),
          r.target(),
          r.source().toString(),
          r.policy().mode().name().toLowerCase(Locale.ROOT).replace('_', '-'),
          matches.getOrDefault(r.name(), 0L));
    }
    // rules that routed requests but are not configured: namespace rules, or since reloaded
    matches.entrySet().stream()
        .filter(e -> !listed.contains(e.getKey()))
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> rule(html, e.getKey(), "–", "–", "–", e.getValue()));
    if (rules.isEmpty() && matches.isEmpty()) {
      html.append("<tr><td colspan=\"5\" class=\"empty\">No rules.</td></tr>");
    }
    html.append("</tbody></table></section>\n");
  }

  private static void rule(
      StringBuilder html, String name, String target, String source, String mode, long count) {
    html.append("<tr><td class=\"name\">")
        .append(escape(name))
        .append("</td><td>")
        .append(escape(target))
        .append("</td><td>")
        .append(escape(source))
        .append("</td><td>")
        .append(escape(mode))
        .append("</td><td class=\"num\">")
        .append(count)
        .append("</td></tr>");
  }

  private static String badge(String kind, String text) {
    return "<span class=\"badge " + kind + "\">" + escape(text) + "</span>";
  }

  private static String percent(OptionalDouble ratio) {
    return ratio.isPresent()
        ? String.format(Locale.ROOT, "%.1f %%", 100 * ratio.getAsDouble())
        : "–";
  }

  /** A duration the way a person reads it: {@code 2 d 3 h}, {@code 3 h 12 min}, {@code 42 s}. */
  static String uptime(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s >= 86_400) {
      return s / 86_400 + " d " + s % 86_400 / 3600 + " h";
    }
    if (s >= 3600) {
      return s / 3600 + " h " + s % 3600 / 60 + " min";
    }
    if (s >= 60) {
      return s / 60 + " min " + s % 60 + " s";
    }
    return s + " s";
  }

  /** {@code text} safe inside an HTML element or a quoted attribute. */
  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
