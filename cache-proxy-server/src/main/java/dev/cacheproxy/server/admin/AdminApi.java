/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.core.ImageWarmer;
import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.ProxyException;
import dev.cacheproxy.core.Reference;
import dev.cacheproxy.core.Tag;
import dev.cacheproxy.core.storage.PurgeReport;
import dev.cacheproxy.core.storage.RepositoryUsage;
import dev.cacheproxy.core.storage.StorageStatus;
import dev.cacheproxy.core.storage.UsageReport;
import dev.cacheproxy.rules.RepositoryName;
import dev.cacheproxy.rules.Rule;
import dev.cacheproxy.server.config.ConfigReloader;
import dev.cacheproxy.server.config.RuleModes;
import io.micrometer.core.instrument.Counter;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API under {@code /admin/} on the admin listener: JSON in and out, errors in the
 * registry API's shape {@code {"errors":[{"code","message"}]}}.
 *
 * <ul>
 *   <li>{@code GET /admin/rules}: the rules in force and how many requests each routed.
 *   <li>{@code GET /admin/stats}: requests per rule by result, storage per repository, totals.
 *   <li>{@code POST /admin/purge} {@code {"repository":…,"reference":…}} (reference optional):
 *       purges a tag, a digest or a whole repository ({@link CacheProxy#purge}).
 *   <li>{@code POST /admin/warm} {@code {"image":…,"platforms":[…]}}: starts warming an image in
 *       the background, {@code 202} with {@code Location: /admin/warm/<id>}; {@code GET
 *       /admin/warm/<id>} tells how far it is, {@code GET /admin/warm} lists the recent jobs.
 *   <li>{@code POST /admin/reload}: reloads the configuration file now ({@link
 *       ConfigReloader#reloadNow()}); {@code 409} when the server runs without {@code --config}.
 * </ul>
 *
 * <p>The API has no authentication: the admin listener should be bound to loopback. Request bodies
 * are capped at {@link #MAX_BODY} bytes and read with blocking I/O on the admin listener's worker
 * threads, never on its IO thread. Thread-safe.
 */
public final class AdminApi {

  private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);

  /** The largest request body accepted. */
  static final int MAX_BODY = 64 * 1024;

  /** The path prefix the API answers under. */
  static final String PREFIX = "/admin/";

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String GET_HEAD = "GET, HEAD";
  private static final String POST = "POST";
  private static final Tag LATEST = Tag.parse("latest");

  private final CacheProxy proxy;
  private final @Nullable ConfigReloader reloader;
  private final WarmJobs warms;

  /**
   * An API over {@code proxy}.
   *
   * @param reloader reloads the configuration file; null when the server runs without {@code
   *     --config}
   */
  public AdminApi(CacheProxy proxy, @Nullable ConfigReloader reloader) {
    this(
        proxy,
        reloader,
        Clock.systemUTC(),
        Thread.ofVirtual().name("cache-proxy-warm-", 1).factory());
  }

  AdminApi(
      CacheProxy proxy, @Nullable ConfigReloader reloader, Clock clock, ThreadFactory threads) {
    this.proxy = proxy;
    this.reloader = reloader;
    this.warms = new WarmJobs(new ImageWarmer(proxy, clock), clock, threads);
  }

  /** Answers a request under {@link #PREFIX}, on a worker thread. */
  void handle(HttpServerExchange exchange) {
    String path = exchange.getRequestPath();
    HttpString method = exchange.getRequestMethod();
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
    try {
      switch (path) {
        case "/admin/rules" -> {
          if (allowed(exchange, GET_HEAD)) {
            send(exchange, 200, rules());
          }
        }
        case "/admin/stats" -> {
          if (allowed(exchange, GET_HEAD)) {
            send(exchange, 200, stats());
          }
        }
        case "/admin/purge" -> {
          if (allowed(exchange, POST)) {
            send(exchange, 200, purge(body(exchange)));
          }
        }
        case "/admin/reload" -> {
          if (allowed(exchange, POST)) {
            reload(exchange);
          }
        }
        case "/admin/warm" -> {
          if (method.equals(Methods.POST)) {
            warm(exchange, body(exchange));
          } else if (allowed(exchange, "GET, HEAD, POST")) {
            ObjectNode body = MAPPER.createObjectNode();
            ArrayNode jobs = body.putArray("jobs");
            warms.recent().forEach(job -> jobs.add(job.json()));
            send(exchange, 200, body);
          }
        }
        default -> {
          if (path.startsWith("/admin/warm/") && path.indexOf('/', "/admin/warm/".length()) < 0) {
            if (allowed(exchange, GET_HEAD)) {
              String id = path.substring("/admin/warm/".length());
              WarmJobs.Job job =
                  warms
                      .get(id)
                      .orElseThrow(() ->
                          new AdminError(
                              404,
                              OciErrorCode.NAME_UNKNOWN,
                              "no warm job "
                                  + AdminHandler.shorten(id)
                                  + " (the most recent "
                                  + WarmJobs.MAX_JOBS
                                  + " jobs are kept)"));
              send(exchange, 200, job.json());
            }
          } else {
            throw new AdminError(
                404,
                OciErrorCode.NAME_UNKNOWN,
                "unknown path "
                    + AdminHandler.shorten(path)
                    + ": the admin API serves /admin/rules, /admin/stats, /admin/purge,"
                    + " /admin/warm and /admin/reload");
          }
        }
      }
    } catch (AdminError e) {
      AdminHandler.error(exchange, e.status, e.code, String.valueOf(e.getMessage()));
    } catch (ProxyException e) {
      String message = e.getMessage() == null ? e.code().description() : e.getMessage();
      if (e.code().httpStatus() >= 500) {
        LOG.warn("admin API {} {}: {} {}", method, path, e.code(), message);
      }
      AdminHandler.error(exchange, e.code().httpStatus(), e.code(), message);
    }
  }

  /** Whether the request's method is one of {@code allow}; else answers 405. */
  private static boolean allowed(HttpServerExchange exchange, String allow) {
    String method = exchange.getRequestMethod().toString();
    if (List.of(allow.split(", ", -1)).contains(method)) {
      return true;
    }
    exchange.getResponseHeaders().put(Headers.ALLOW, allow);
    AdminHandler.error(
        exchange,
        405,
        OciErrorCode.UNSUPPORTED,
        method + " " + exchange.getRequestPath() + " is not supported: use " + allow);
    return false;
  }

  private ObjectNode rules() {
    Map<String, Long> matches = proxy.ruleMatches();
    ObjectNode body = MAPPER.createObjectNode();
    ArrayNode list = body.putArray("rules");
    for (Rule rule : proxy.rules().rules()) {
      ObjectNode entry = list.addObject();
      entry.put("name", rule.name());
      entry.put("target", rule.target());
      entry.put("source", rule.source().toString());
      entry.put("mode", RuleModes.name(rule.policy().mode()));
      entry.put("credentials", rule.credentials()); // the set's name or null, never a secret
      entry.put("matches", matches.getOrDefault(rule.name(), 0L));
    }
    return body;
  }

  private ObjectNode stats() {
    // rule -> kind -> result -> count, from the cacheproxy.requests counters
    Map<String, Map<String, Map<String, Long>>> requests = new TreeMap<>();
    for (Counter counter : proxy.meterRegistry().find("cacheproxy.requests").counters()) {
      String rule = counter.getId().getTag("rule");
      String kind = counter.getId().getTag("kind");
      String result = counter.getId().getTag("result");
      if (rule == null || kind == null || result == null) {
        continue;
      }
      requests
          .computeIfAbsent(rule, r -> new TreeMap<>())
          .computeIfAbsent(kind, k -> new TreeMap<>())
          .merge(result, Math.round(counter.count()), Long::sum);
    }
    Map<String, Long> matches = proxy.ruleMatches();
    List<String> names = new ArrayList<>();
    proxy.rules().rules().forEach(rule -> names.add(rule.name()));
    for (String name : requests.keySet()) { // rules since removed, ?ns= routes, "none"
      if (!names.contains(name)) {
        names.add(name);
      }
    }
    ObjectNode body = MAPPER.createObjectNode();
    ArrayNode rules = body.putArray("rules");
    for (String name : names) {
      ObjectNode entry = rules.addObject();
      entry.put("name", name);
      entry.put("matches", matches.getOrDefault(name, 0L));
      Map<String, Map<String, Long>> byKind = requests.getOrDefault(name, Map.of());
      Map<String, Long> byResult = new TreeMap<>();
      byKind.values().forEach(m -> m.forEach((result, n) -> byResult.merge(result, n, Long::sum)));
      ObjectNode total = entry.putObject("requests");
      byResult.forEach(total::put);
      ObjectNode kinds = entry.putObject("requestsByKind");
      byKind.forEach((kind, m) -> {
        ObjectNode k = kinds.putObject(kind);
        m.forEach(k::put);
      });
    }
    UsageReport usage = proxy.storageUsage();
    ArrayNode repositories = body.putArray("repositories");
    for (RepositoryUsage repository : usage.repositories()) {
      ObjectNode entry = repositories.addObject();
      entry.put("registry", repository.registry());
      entry.put("repository", repository.repository().value());
      entry.put("rule", repository.rule());
      entry.put("manifests", repository.manifests());
      entry.put("bytes", repository.bytes());
      entry.put("exclusiveBytes", repository.exclusiveBytes());
      entry.put(
          "lastPull", repository.lastPull() == null ? null : repository.lastPull().toString());
    }
    StorageStatus status = proxy.storageStatus();
    ObjectNode totals = body.putObject("totals");
    totals.put("repositories", usage.repositories().size());
    totals.put("usedBytes", status.usedBytes());
    totals.put("blobs", status.blobs());
    if (status.usableBytes() == Long.MAX_VALUE) {
      totals.putNull("usableBytes");
    } else {
      totals.put("usableBytes", status.usableBytes());
    }
    totals.put("evictions", status.evictions());
    totals.put("evictedBytes", status.evictedBytes());
    totals.put("leasedBlobs", status.leasedBlobs());
    totals.put("orphans", usage.orphans());
    totals.put("orphanBytes", usage.orphanBytes());
    return body;
  }

  private ObjectNode purge(ObjectNode request) {
    fields(request, "repository", "reference");
    RepositoryName repository = ImageName.repository(required(request, "repository"));
    String ref = optional(request, "reference");
    Reference reference = ref == null ? null : Reference.parse(ref);
    PurgeReport report = proxy.purge(repository, reference);
    LOG.info(
        "admin API: purged {}: {} manifests, {} tags, {} blobs ({} bytes)",
        report.target(),
        report.manifests(),
        report.tags(),
        report.blobs(),
        report.bytes());
    ObjectNode body = MAPPER.createObjectNode();
    body.put("target", report.target());
    body.put("manifests", report.manifests());
    body.put("tags", report.tags());
    body.put("blobs", report.blobs());
    body.put("bytes", report.bytes());
    return body;
  }

  private void warm(HttpServerExchange exchange, ObjectNode request) {
    fields(request, "image", "platforms");
    ImageName image = ImageName.parse(required(request, "image"));
    List<String> platforms = new ArrayList<>();
    JsonNode list = request.get("platforms");
    if (list != null && !list.isNull()) {
      if (!list.isArray()) {
        throw invalid("\"platforms\" must be an array of strings such as \"linux/amd64\"");
      }
      for (JsonNode p : list) {
        if (!p.isTextual() || !isPlatform(p.asText())) {
          throw invalid(
              "platform " + p + " is not os/architecture[/variant], such as \"linux/amd64\"");
        }
        platforms.add(p.asText().trim());
      }
    }
    Reference named = image.reference();
    Reference reference = named == null ? LATEST : named;
    WarmJobs.Job job =
        warms
            .start(image.repository(), reference, platforms)
            .orElseThrow(() ->
                new AdminError(
                    429,
                    OciErrorCode.TOOMANYREQUESTS,
                    WarmJobs.MAX_JOBS + " warm jobs are running; try again once some end"));
    LOG.info("admin API: warming {} (job {})", job.image(), job.id);
    exchange.getResponseHeaders().put(Headers.LOCATION, "/admin/warm/" + job.id);
    send(exchange, 202, job.json());
  }

  private void reload(HttpServerExchange exchange) {
    ConfigReloader r = reloader;
    if (r == null) {
      throw new AdminError(
          409,
          OciErrorCode.UNSUPPORTED,
          "the server runs without --config: there is no configuration file to reload");
    }
    ConfigReloader.Result result = r.reloadNow();
    ObjectNode body = MAPPER.createObjectNode();
    body.put("outcome", result.outcome().name().toLowerCase(Locale.ROOT));
    body.put("message", result.message());
    body.put("rules", result.rules());
    body.put("loadedAt", result.loadedAt().toString());
    send(exchange, 200, body);
  }

  /** Reads the request body, at most {@link #MAX_BODY} bytes, as a JSON object. */
  private static ObjectNode body(HttpServerExchange exchange) {
    if (exchange.getRequestContentLength() > MAX_BODY) {
      throw tooLarge();
    }
    byte[] bytes;
    exchange.startBlocking();
    try (InputStream in = exchange.getInputStream()) {
      bytes = in.readNBytes(MAX_BODY + 1);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the request body", e);
    }
    if (bytes.length > MAX_BODY) {
      throw tooLarge();
    }
    if (bytes.length == 0) {
      throw invalid("the request has no body: expected a JSON object");
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw invalid("the request body is not JSON: " + firstLine(e));
    }
    if (node == null || !node.isObject()) {
      throw invalid("the request body must be a JSON object");
    }
    return (ObjectNode) node;
  }

  /** Refuses fields other than {@code known}, so that a typo is not silently ignored. */
  private static void fields(ObjectNode request, String... known) {
    for (Iterator<String> it = request.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!List.of(known).contains(name)) {
        throw invalid(
            "unknown field \""
                + AdminHandler.shorten(name)
                + "\": expected "
                + String.join(", ", known));
      }
    }
  }

  /** A text field that must be there. */
  private static String required(ObjectNode request, String field) {
    String value = optional(request, field);
    if (value == null) {
      throw invalid("the request body has no \"" + field + "\"");
    }
    return value;
  }

  /** A text field; null when absent. */
  private static @Nullable String optional(ObjectNode request, String field) {
    JsonNode value = request.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw invalid("\"" + field + "\" must be a string");
    }
    return value.asText();
  }

  /** {@code os/architecture[/variant]}, as {@link ImageWarmer} reads platforms. */
  private static boolean isPlatform(String text) {
    String[] parts = text.trim().split("/", -1);
    for (String part : parts) {
      if (part.isEmpty()) {
        return false;
      }
    }
    return parts.length == 2 || parts.length == 3;
  }

  private static AdminError invalid(String message) {
    return new AdminError(400, OciErrorCode.MANIFEST_INVALID, message);
  }

  private static AdminError tooLarge() {
    return new AdminError(
        413, OciErrorCode.SIZE_INVALID, "the request body is larger than " + MAX_BODY + " bytes");
  }

  private static String firstLine(IOException e) {
    String message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  private static void send(HttpServerExchange exchange, int status, JsonNode body) {
    byte[] bytes;
    try {
      bytes = MAPPER.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot write JSON", e);
    }
    AdminHandler.send(exchange, status, "application/json", bytes);
  }

  /** A request the API refuses, with the status and code to answer. */
  private static final class AdminError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int status;
    final OciErrorCode code;

    AdminError(int status, OciErrorCode code, String message) {
      super(message, null, false, false);
      this.status = status;
      this.code = code;
    }
  }
}
