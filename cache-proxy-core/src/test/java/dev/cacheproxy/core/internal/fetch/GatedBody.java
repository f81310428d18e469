/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An upstream body over fixed bytes that stops at chosen positions until the test opens a gate, and
 * then goes on or breaks like a reset connection. A gate left shut fails the body after ten
 * seconds, so a broken test ends instead of hanging.
 */
final class GatedBody extends InputStream {

  private record Gate(CountDownLatch latch, boolean breaks) {}

  private final byte[] content;
  private final TreeMap<Integer, Gate> gates = new TreeMap<>();
  private int position;

  GatedBody(byte[] content) {
    this.content = content;
  }

  /** Before serving the byte at {@code at}, waits for {@code gate}. */
  GatedBody pauseAt(int at, CountDownLatch gate) {
    gates.put(at, new Gate(gate, false));
    return this;
  }

  /** Before serving the byte at {@code at}, waits for {@code gate}, then fails. */
  GatedBody breakAt(int at, CountDownLatch gate) {
    gates.put(at, new Gate(gate, true));
    return this;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] bytes, int offset, int length) throws IOException {
    Gate gate = gates.remove(position);
    if (gate != null) {
      pass(gate);
    }
    if (position == content.length) {
      return -1;
    }
    int end = Math.min(content.length, position + length);
    Map.Entry<Integer, Gate> next = gates.higherEntry(position);
    if (next != null) {
      end = Math.min(end, next.getKey());
    }
    int count = end - position;
    System.arraycopy(content, position, bytes, offset, count);
    position = end;
    return count;
  }

  private void pass(Gate gate) throws IOException {
    try {
      if (!gate.latch().await(10, TimeUnit.SECONDS)) {
        throw new IOException("test gate at byte " + position + " stayed shut for 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted at the test gate at byte " + position, e);
    }
    if (gate.breaks()) {
      throw new IOException("connection reset at byte " + position);
    }
  }
}
