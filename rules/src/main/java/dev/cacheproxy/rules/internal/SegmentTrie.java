/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.rules.internal;

import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A trie over the {@code /}-separated segments of repository names, which finds the most specific
 * value for a name in time proportional to the name's length, however many values it holds.
 *
 * <p>Every node stands for one path. A value put with {@link Builder#putExact} sits at the node of
 * its whole path ({@code team/base}) and matches that name only. A value put with {@link
 * Builder#putBelow} sits at the node of its prefix ({@code hub/bitnami} for {@code hub/bitnami/*},
 * the root for {@code *}) and matches every name strictly below that node. {@link #find} walks the
 * name once with {@link String#indexOf(int, int)}, looks each segment up in its parent's
 * open-addressing table without cutting it out of the name, and allocates nothing.
 *
 * <p>Concurrency: a builder is not thread-safe. It writes the nodes and matches, and {@link
 * Builder#build} links the fallbacks and hands them to a trie through a final field; nothing writes
 * them afterwards (the builder refuses further puts), so by the final-field rule of the Java memory
 * model every thread that sees the trie sees them complete, and a trie may be shared without
 * locking.
 *
 * @param <T> the values
 */
public final class SegmentTrie<T> {

  private final Node<T> root;

  private SegmentTrie(Node<T> root) {
    this.root = root;
  }

  /** A new, empty builder. */
  public static <T> Builder<T> builder() {
    return new Builder<>();
  }

  /**
   * The most specific value for {@code name}: the exact value at its whole path if there is one,
   * otherwise the value put below the longest prefix of it, otherwise null. Follow {@link
   * Match#fallback()} for the less specific values below shorter prefixes.
   *
   * @param name a repository name: non-empty segments separated by single slashes
   */
  public @Nullable Match<T> find(String name) {
    Node<T> node = root;
    Match<T> best = root.below;
    int start = 0;
    while (true) {
      int slash = name.indexOf('/', start);
      int end = slash < 0 ? name.length() : slash;
      Node<T> child = node.child(name, start, end);
      if (child == null) {
        return best;
      }
      if (slash < 0) {
        return child.exact != null ? child.exact : best;
      }
      if (child.below != null) {
        best = child.below;
      }
      node = child;
      start = slash + 1;
    }
  }

  /**
   * A value that matches a name.
   *
   * @param <T> the values
   */
  public static final class Match<T> {
    private final T value;
    private final boolean exact;
    private final int prefixLength;
    // Set by Builder.build(), before the trie is published; never written afterwards.
    private @Nullable Match<T> fallback;

    Match(T value, boolean exact, int prefixLength) {
      this.value = value;
      this.exact = exact;
      this.prefixLength = prefixLength;
    }

    /** The value that was put. */
    public T value() {
      return value;
    }

    /** Whether the value was put with {@link Builder#putExact}. */
    public boolean isExact() {
      return exact;
    }

    /**
     * The length of the part of a name this value's path covers: for a value put below a prefix,
     * the prefix and the slash after it ({@code 4} for {@code a/b}, {@code 0} for the root), so the
     * rest of the name starts there; for an exact value, the length of its path.
     */
    public int prefixLength() {
      return prefixLength;
    }

    /**
     * The value put below the next shorter prefix of this one's, which also matches every name this
     * one matches, or null; always null for an exact value.
     */
    public @Nullable Match<T> fallback() {
      return fallback;
    }
  }

  /**
   * Collects values and builds one immutable {@link SegmentTrie}.
   *
   * @param <T> the values
   */
  public static final class Builder<T> {
    private final Node<T> root = new Node<>(new char[0], 0);
    // One array per distinct segment, shared by every node with that segment: saves memory and
    // keeps common segments ("library") in cache.
    private final Map<String, char[]> segments = new HashMap<>();
    private boolean built;

    private Builder() {}

    /**
     * Puts a value matching the name {@code path} only, unless one is there already.
     *
     * @return the value already at that path (which stays), or null if the value was put
     * @throws IllegalArgumentException if the path is empty or has an empty segment
     */
    public @Nullable T putExact(String path, T value) {
      checkOpen();
      if (path.isEmpty()) {
        throw new IllegalArgumentException("path is empty");
      }
      Node<T> node = nodeFor(path, path.length());
      if (node.exact != null) {
        return node.exact.value;
      }
      node.exact = new Match<>(value, true, path.length());
      return null;
    }

    /**
     * Puts a value matching every name strictly below {@code prefix} ({@code ""} for every name),
     * unless one is there already.
     *
     * @return the value already below that prefix (which stays), or null if the value was put
     * @throws IllegalArgumentException if the prefix has an empty segment
     */
    public @Nullable T putBelow(String prefix, T value) {
      return putBelow(prefix, prefix.length(), value);
    }

    /**
     * Puts a value matching every name strictly below the first {@code length} characters of {@code
     * path}, unless one is there already; saves cutting {@code hub} out of {@code hub/*}.
     *
     * @return the value already below that prefix (which stays), or null if the value was put
     * @throws IllegalArgumentException if the prefix has an empty segment
     */
    public @Nullable T putBelow(String path, int length, T value) {
      checkOpen();
      Node<T> node = length == 0 ? root : nodeFor(path, length);
      if (node.below != null) {
        return node.below.value;
      }
      node.below = new Match<>(value, false, length == 0 ? 0 : length + 1);
      return null;
    }

    private void checkOpen() {
      if (built) {
        throw new IllegalStateException("the trie was built; use a new builder");
      }
    }

    private Node<T> nodeFor(String path, int length) {
      Node<T> node = root;
      int start = 0;
      while (true) {
        int slash = path.indexOf('/', start);
        int end = slash < 0 || slash > length ? length : slash;
        if (end == start) {
          throw new IllegalArgumentException(
              "path '" + path.substring(0, length) + "' has an empty segment");
        }
        Node<T> child = node.child(path, start, end);
        if (child == null) {
          char[] segment =
              segments.computeIfAbsent(path.substring(start, end), String::toCharArray);
          child = node.add(new Node<>(segment, hash(path, start, end)));
        }
        if (end == length) {
          return child;
        }
        node = child;
        start = end + 1;
      }
    }

    /** Builds the trie. The builder cannot be used afterwards, since the trie shares its nodes. */
    public SegmentTrie<T> build() {
      built = true;
      link(root, null);
      return new SegmentTrie<>(root);
    }

    /** Points each value put below a prefix at the one below the next shorter prefix. */
    private static <T> void link(Node<T> node, @Nullable Match<T> inherited) {
      Match<T> below = node.below;
      if (below != null) {
        below.fallback = inherited;
      }
      Match<T> forChildren = below != null ? below : inherited;
      for (Node<T> child : node.table) {
        if (child != null) {
          link(child, forChildren);
        }
      }
    }
  }

  /**
   * A node: its own segment and hash, its values, and its children in an open-addressing table, so
   * that a step down touches the table slot, the child and the child's characters, and nothing
   * else. Written only by the builder.
   */
  private static final class Node<T> {
    private static final Node<?>[] NO_CHILDREN = new Node<?>[0];

    private final char[] segment;
    private final int hash;
    private Node<T>[] table;
    private int size;
    @Nullable Match<T> exact;
    @Nullable Match<T> below;

    @SuppressWarnings("unchecked")
    Node(char[] segment, int hash) {
      this.segment = segment;
      this.hash = hash;
      this.table = (Node<T>[]) NO_CHILDREN;
    }

    /** The child for the segment {@code name[start, end)}, or null. */
    @Nullable Node<T> child(String name, int start, int end) {
      Node<T>[] t = table;
      if (t.length == 0) {
        return null;
      }
      int h = hash(name, start, end);
      int mask = t.length - 1;
      for (int i = spread(h) & mask; ; i = (i + 1) & mask) {
        Node<T> child = t[i];
        if (child == null) {
          return null;
        }
        if (child.hash == h && child.is(name, start, end)) {
          return child;
        }
      }
    }

    /** Adds a child that is not there yet, keeping the table at most half full. */
    Node<T> add(Node<T> child) {
      if ((size + 1) * 2 > table.length) {
        @SuppressWarnings({"unchecked", "rawtypes"})
        Node<T>[] bigger = (Node<T>[]) new Node[Math.max(2, table.length * 2)];
        for (Node<T> old : table) {
          if (old != null) {
            insert(bigger, old);
          }
        }
        table = bigger;
      }
      insert(table, child);
      size++;
      return child;
    }

    private static <T> void insert(Node<T>[] table, Node<T> child) {
      int mask = table.length - 1;
      int i = spread(child.hash) & mask;
      while (table[i] != null) {
        i = (i + 1) & mask;
      }
      table[i] = child;
    }

    /** Whether this node's segment is {@code name[start, end)}. */
    private boolean is(String name, int start, int end) {
      char[] s = segment;
      if (s.length != end - start) {
        return false;
      }
      for (int i = 0; i < s.length; i++) {
        if (s[i] != name.charAt(start + i)) {
          return false;
        }
      }
      return true;
    }
  }

  /** The hash of {@code s[start, end)}, the same as {@code s.substring(start, end).hashCode()}. */
  static int hash(String s, int start, int end) {
    int h = 0;
    for (int i = start; i < end; i++) {
      h = 31 * h + s.charAt(i);
    }
    return h;
  }

  private static int spread(int h) {
    return h ^ (h >>> 16);
  }
}
