/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.fetch;

import dev.cacheproxy.core.internal.upstream.UpstreamBlob;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link BlobFetcher.BlobSource} that answers each open with the next scripted response, and
 * counts opens and closes. An open beyond the script fails with an IOException.
 */
final class ScriptedSource implements BlobFetcher.BlobSource {

  private interface Response {
    UpstreamBlob open() throws IOException;
  }

  private final Queue<Response> responses = new ConcurrentLinkedQueue<>();
  private final AtomicInteger opens = new AtomicInteger();
  private final AtomicInteger closes = new AtomicInteger();

  /** Next, serves {@code content} with its size. */
  ScriptedSource serve(byte[] content) {
    return serve(content.length, new ByteArrayInputStream(content));
  }

  /** Next, serves {@code body}, announcing {@code totalSize} (-1: unknown). */
  ScriptedSource serve(long totalSize, InputStream body) {
    responses.add(() -> new UpstreamBlob(0, totalSize, body, closes::incrementAndGet));
    return this;
  }

  /** Next, throws {@code failure} (an IOException or a RuntimeException). */
  ScriptedSource fail(Exception failure) {
    responses.add(() -> {
      if (failure instanceof IOException io) {
        throw io;
      }
      throw (RuntimeException) failure;
    });
    return this;
  }

  @Override
  public UpstreamBlob open(long offset) throws IOException {
    int count = opens.incrementAndGet();
    if (offset != 0) {
      throw new IOException("the fill asked for offset " + offset);
    }
    Response response = responses.poll();
    if (response == null) {
      throw new IOException("unexpected upstream open #" + count);
    }
    return response.open();
  }

  /** How many times the upstream was opened. */
  int opens() {
    return opens.get();
  }

  /** How many upstream responses were closed. */
  int closes() {
    return closes.get();
  }
}
