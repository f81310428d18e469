/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.random.RandomGenerator;

/**
 * Writes a POSIX ustar archive, the content of an uncompressed OCI layer, straight to a stream.
 *
 * <p>Just enough of the format for test layers that podman, containerd and skopeo unpack:
 * directories and regular files with names up to 100 bytes, owned by root, with a fixed mtime so
 * the same seed gives the same bytes.
 */
final class TarWriter {

  private static final int BLOCK = 512;
  private static final long MTIME = 1_700_000_000L;
  private static final long MAX_SIZE = 077777777777L; // 11 octal digits: 8 GiB - 1

  private final OutputStream out;

  /** A writer appending entries to {@code out}; the caller closes {@code out}. */
  TarWriter(OutputStream out) {
    this.out = out;
  }

  /** Adds a directory; {@code name} is relative and ends with {@code /}. */
  void directory(String name) throws IOException {
    if (!name.endsWith("/")) {
      throw new IllegalArgumentException("a directory name ends with '/': " + name);
    }
    out.write(header(name, 0755, 0, '5'));
  }

  /** Adds a regular file with {@code content}. */
  void file(String name, byte[] content) throws IOException {
    out.write(header(name, 0644, content.length, '0'));
    out.write(content);
    pad(content.length);
  }

  /** Adds a regular file of {@code size} bytes from {@code random}, streamed in 1 MiB chunks. */
  void randomFile(String name, long size, RandomGenerator random) throws IOException {
    out.write(header(name, 0644, size, '0'));
    byte[] chunk = new byte[(int) Math.min(size, 1 << 20)];
    long left = size;
    while (left > 0) {
      int len = (int) Math.min(left, chunk.length);
      random.nextBytes(chunk);
      out.write(chunk, 0, len);
      left -= len;
    }
    pad(size);
  }

  /** Writes the two zero blocks that end an archive. */
  void finish() throws IOException {
    out.write(new byte[2 * BLOCK]);
  }

  private void pad(long size) throws IOException {
    int rest = (int) (size % BLOCK);
    if (rest != 0) {
      out.write(new byte[BLOCK - rest]);
    }
  }

  private static byte[] header(String name, int mode, long size, char type) {
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    if (nameBytes.length > 100) {
      throw new IllegalArgumentException("tar name longer than 100 bytes: " + name);
    }
    if (size < 0 || size > MAX_SIZE) {
      throw new IllegalArgumentException("tar entry size out of range: " + size);
    }
    byte[] h = new byte[BLOCK];
    System.arraycopy(nameBytes, 0, h, 0, nameBytes.length);
    octal(h, 100, 8, mode);
    octal(h, 108, 8, 0); // uid
    octal(h, 116, 8, 0); // gid
    octal(h, 124, 12, size);
    octal(h, 136, 12, MTIME);
    h[156] = (byte) type;
    ascii(h, 257, "ustar\0");
    ascii(h, 263, "00");
    ascii(h, 265, "root");
    ascii(h, 297, "root");
    octal(h, 329, 8, 0); // devmajor
    octal(h, 337, 8, 0); // devminor
    // The checksum is the sum of all header bytes with its own field read as spaces.
    ascii(h, 148, "        ");
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    String checksum = String.format("%06o", sum);
    ascii(h, 148, checksum);
    h[154] = 0;
    h[155] = ' ';
    return h;
  }

  /** Writes {@code value} as zero-padded octal filling {@code width - 1} bytes, then NUL. */
  private static void octal(byte[] h, int offset, int width, long value) {
    String digits = Long.toOctalString(value);
    String padded = "0".repeat(width - 1 - digits.length()) + digits;
    ascii(h, offset, padded);
    h[offset + width - 1] = 0;
  }

  private static void ascii(byte[] h, int offset, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(bytes, 0, h, offset, bytes.length);
  }
}
