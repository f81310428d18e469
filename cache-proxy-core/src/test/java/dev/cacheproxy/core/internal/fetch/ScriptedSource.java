/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.fetch;

import dev.cacheproxy.core.internal.upstream.UpstreamBlob;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;
import org.jspecify.annotations.Nullable;

/**
 * A {@link BlobFetcher.BlobSource} that answers each open with the next scripted response, and
 * counts opens and closes and records the offsets and {@code If-Range} tags asked for. Responses
 * carry the {@code ETag} set by {@link #etag} when they were scripted. An open beyond the script
 * fails with an IOException.
 */
final class ScriptedSource implements BlobFetcher.BlobSource {

  private interface Response {
    UpstreamBlob open(long offset) throws IOException;
  }

  private final Queue<Response> responses = new ConcurrentLinkedQueue<>();
  private final AtomicInteger opens = new AtomicInteger();
  private final AtomicInteger closes = new AtomicInteger();
  private final List<Long> offsets = new CopyOnWriteArrayList<>();
  private final List<String> ifRanges = new CopyOnWriteArrayList<>();
  private @Nullable String etag;

  /** The responses scripted from now on carry {@code etag} (null: none). */
  ScriptedSource etag(@Nullable String etag) {
    this.etag = etag;
    return this;
  }

  /** Next, serves {@code content} with its size, to a request from offset 0. */
  ScriptedSource serve(byte[] content) {
    return serve(content.length, new ByteArrayInputStream(content));
  }

  /** Next, serves {@code body}, announcing {@code totalSize} (-1: unknown), from offset 0. */
  ScriptedSource serve(long totalSize, InputStream body) {
    String tag = etag;
    responses.add(offset -> {
      if (offset != 0) {
        throw new IOException("the fill asked for offset " + offset);
      }
      return blob(0, totalSize, tag, body);
    });
    return this;
  }

  /** Next, serves the rest of {@code content} from whatever offset is asked, like a 206. */
  ScriptedSource serveRange(byte[] content) {
    return serveRange(
        content.length,
        offset -> new ByteArrayInputStream(content, (int) offset, content.length - (int) offset));
  }

  /** Next, serves {@code body.apply(offset)} from whatever offset is asked, announcing the size. */
  ScriptedSource serveRange(long totalSize, LongFunction<InputStream> body) {
    String tag = etag;
    responses.add(offset -> blob(offset, totalSize, tag, body.apply(offset)));
    return this;
  }

  /** Next, serves all of {@code content} from offset 0, like an upstream that ignores Range. */
  ScriptedSource serveIgnoringRange(byte[] content) {
    String tag = etag;
    responses.add(offset -> blob(0, content.length, tag, new ByteArrayInputStream(content)));
    return this;
  }

  /** Next, serves {@code content} from {@code start}, whatever offset was asked. */
  ScriptedSource serveFrom(int start, byte[] content) {
    String tag = etag;
    responses.add(offset ->
        blob(
            start,
            content.length,
            tag,
            new ByteArrayInputStream(content, start, content.length - start)));
    return this;
  }

  /** Next, throws {@code failure} (an IOException or a RuntimeException). */
  ScriptedSource fail(Exception failure) {
    responses.add(offset -> {
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
    offsets.add(offset);
    Response response = responses.poll();
    if (response == null) {
      throw new IOException("unexpected upstream open #" + count + " from offset " + offset);
    }
    return response.open(offset);
  }

  @Override
  public UpstreamBlob open(long offset, @Nullable String ifRange) throws IOException {
    ifRanges.add(ifRange == null ? "" : ifRange);
    return open(offset);
  }

  /** The {@code If-Range} tags of the opens that resumed, in order ("" for none). */
  List<String> ifRanges() {
    return List.copyOf(ifRanges);
  }

  /** How many times the upstream was opened. */
  int opens() {
    return opens.get();
  }

  /** How many upstream responses were closed. */
  int closes() {
    return closes.get();
  }

  /** The offsets the upstream was asked for, in order. */
  List<Long> offsets() {
    return List.copyOf(offsets);
  }

  private UpstreamBlob blob(long offset, long totalSize, @Nullable String etag, InputStream body) {
    return new UpstreamBlob(offset, totalSize, etag, body, closes::incrementAndGet);
  }
}
