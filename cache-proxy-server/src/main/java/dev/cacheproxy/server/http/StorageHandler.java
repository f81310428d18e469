/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cacheproxy.core.CacheProxy;
import dev.cacheproxy.core.storage.RepositoryUsage;
import dev.cacheproxy.core.storage.StorageSettings;
import dev.cacheproxy.core.storage.StorageStatus;
import dev.cacheproxy.core.storage.UsageReport;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

/**
 * Answers {@code GET /_cache-proxy/storage}: what the running cache stores, from its in-memory
 * ledger (no disk walk), as {@code {"usedBytes","blobs","maxSize","highWatermarkBytes",
 * "lowWatermarkBytes","minFreeSpace","usableBytes","accessTracking","evictions","evictedBytes",
 * "leasedBlobs","orphans","orphanBytes","repositories":[{"registry","repository","rule",
 * "manifests","bytes","exclusiveBytes","lastPull"}]}}, repositories largest first. The same figures
 * as {@code cache-proxy du}, which reads a data directory instead. Runs on a dispatched virtual
 * thread.
 */
final class StorageHandler {

  private final CacheProxy proxy;

  StorageHandler(CacheProxy proxy) {
    this.proxy = proxy;
  }

  void handle(HttpServerExchange exchange) {
    StorageStatus status = proxy.storageStatus();
    UsageReport usage = proxy.storageUsage();
    StorageSettings settings = status.settings();
    ObjectNode body = Json.object();
    body.put("usedBytes", status.usedBytes());
    body.put("blobs", status.blobs());
    if (settings.bounded()) {
      body.put("maxSize", settings.maxSize());
      body.put("highWatermarkBytes", settings.highBytes());
      body.put("lowWatermarkBytes", settings.lowBytes());
    } else {
      body.putNull("maxSize");
    }
    body.put("minFreeSpace", settings.minFreeSpace());
    if (status.usableBytes() == Long.MAX_VALUE) {
      body.putNull("usableBytes");
    } else {
      body.put("usableBytes", status.usableBytes());
    }
    body.put("accessTracking", settings.accessTracking());
    body.put("evictions", status.evictions());
    body.put("evictedBytes", status.evictedBytes());
    body.put("leasedBlobs", status.leasedBlobs());
    body.put("orphans", usage.orphans());
    body.put("orphanBytes", usage.orphanBytes());
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
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
    Json.send(exchange, 200, body);
  }
}
