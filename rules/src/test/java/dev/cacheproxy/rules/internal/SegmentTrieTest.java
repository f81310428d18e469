/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.rules.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SegmentTrieTest {

  private static List<String> chain(SegmentTrie<String> trie, String name) {
    List<String> values = new ArrayList<>();
    for (SegmentTrie.Match<String> m = trie.find(name); m != null; m = m.fallback()) {
      values.add(m.value() + "@" + m.prefixLength() + (m.isExact() ? "!" : ""));
    }
    return values;
  }

  @Test
  void find_empty_isNull() {
    assertThat(SegmentTrie.<String>builder().build().find("a/b")).isNull();
  }

  @Test
  void find_exactValue_onlyForItsWholePath() {
    SegmentTrie.Builder<String> b = SegmentTrie.builder();
    b.putExact("team/base", "static");
    SegmentTrie<String> trie = b.build();
    assertThat(chain(trie, "team/base")).containsExactly("static@9!");
    assertThat(trie.find("team")).isNull();
    assertThat(trie.find("team/base/x")).isNull();
    assertThat(trie.find("team/basex")).isNull();
  }

  @Test
  void find_belowValue_onlyStrictlyBelowItsPrefix() {
    SegmentTrie.Builder<String> b = SegmentTrie.builder();
    b.putBelow("hub", "hub");
    SegmentTrie<String> trie = b.build();
    assertThat(chain(trie, "hub/x")).containsExactly("hub@4");
    assertThat(chain(trie, "hub/x/y/z")).containsExactly("hub@4");
    assertThat(trie.find("hub")).isNull();
    assertThat(trie.find("hubx/y")).isNull();
  }

  @Test
  void find_fallbackChain_deepestFirstToTheRoot() {
    SegmentTrie.Builder<String> b = SegmentTrie.builder();
    b.putBelow("", "root");
    b.putBelow("a/b/c", "abc");
    b.putBelow("a", "a");
    b.putExact("a/b/c", "exact");
    SegmentTrie<String> trie = b.build();
    assertThat(chain(trie, "a/b/c/d")).containsExactly("abc@6", "a@2", "root@0");
    assertThat(chain(trie, "a/b/c")).containsExactly("exact@5!");
    assertThat(chain(trie, "a/b/x/y")).containsExactly("a@2", "root@0");
    assertThat(chain(trie, "a/b")).containsExactly("a@2", "root@0");
    assertThat(chain(trie, "a")).containsExactly("root@0");
    assertThat(chain(trie, "z/y")).containsExactly("root@0");
  }

  @Test
  void put_samePathTwice_keepsFirstAndReturnsIt() {
    SegmentTrie.Builder<String> b = SegmentTrie.builder();
    assertThat(b.putExact("a/b", "one")).isNull();
    assertThat(b.putExact("a/b", "two")).isEqualTo("one");
    assertThat(b.putBelow("a/b", "three")).isNull();
    assertThat(b.putBelow("a/b", "four")).isEqualTo("three");
    assertThat(b.putBelow("", "five")).isNull();
    assertThat(b.putBelow("", "six")).isEqualTo("five");
    SegmentTrie<String> trie = b.build();
    assertThat(chain(trie, "a/b")).containsExactly("one@3!");
    assertThat(chain(trie, "a/b/c")).containsExactly("three@4", "five@0");
  }

  @Test
  void put_emptySegment_refused() {
    SegmentTrie.Builder<String> b = SegmentTrie.builder();
    assertThatThrownBy(() -> b.putExact("", "x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.putExact("a//b", "x")).hasMessageContaining("empty segment");
    assertThatThrownBy(() -> b.putBelow("a/", "x")).hasMessageContaining("empty segment");
    assertThatThrownBy(() -> b.putBelow("/a", "x")).hasMessageContaining("empty segment");
  }

  @Test
  void putBelow_prefixOfPath_usesOnlyThatPrefix() {
    SegmentTrie.Builder<String> b = SegmentTrie.builder();
    assertThat(b.putBelow("hub/bitnami/*", 11, "bitnami")).isNull();
    assertThat(b.putBelow("hub/bitnami", "again")).isEqualTo("bitnami");
    assertThat(b.putBelow("*", 0, "root")).isNull();
    assertThatThrownBy(() -> b.putBelow("a/*", 2, "x")).hasMessageContaining("'a/'");
    SegmentTrie<String> trie = b.build();
    assertThat(chain(trie, "hub/bitnami/redis")).containsExactly("bitnami@12", "root@0");
  }

  @Test
  void put_afterBuild_refused() {
    SegmentTrie.Builder<String> b = SegmentTrie.builder();
    b.putExact("a", "a");
    SegmentTrie<String> trie = b.build();
    assertThatThrownBy(() -> b.putExact("b", "b")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> b.putBelow("", "b")).isInstanceOf(IllegalStateException.class);
    assertThat(trie.find("b")).isNull();
  }

  @Test
  void find_segmentsWithEqualHashes_keptApart() {
    // "Aa" and "BB" have the same String.hashCode, so they probe the same slot.
    assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
    SegmentTrie.Builder<String> b = SegmentTrie.builder();
    b.putExact("Aa", "aa");
    b.putExact("BB", "bb");
    b.putExact("x/AaBB", "aabb");
    b.putExact("x/BBAa", "bbaa");
    SegmentTrie<String> trie = b.build();
    assertThat(chain(trie, "Aa")).containsExactly("aa@2!");
    assertThat(chain(trie, "BB")).containsExactly("bb@2!");
    assertThat(chain(trie, "x/AaBB")).containsExactly("aabb@6!");
    assertThat(chain(trie, "x/BBAa")).containsExactly("bbaa@6!");
    assertThat(trie.find("x/AaAa")).isNull();
  }

  @Test
  void find_manySiblings_eachFound() {
    SegmentTrie.Builder<String> b = SegmentTrie.builder();
    for (int i = 0; i < 10_000; i++) {
      b.putExact("s" + i, "v" + i);
      b.putBelow("s" + i + "/w", "w" + i);
    }
    SegmentTrie<String> trie = b.build();
    for (int i = 0; i < 10_000; i++) {
      assertThat(chain(trie, "s" + i)).containsExactly("v" + i + "@" + ("s" + i).length() + "!");
      assertThat(trie.find("s" + i + "/w/x"))
          .extracting(SegmentTrie.Match::value)
          .isEqualTo("w" + i);
    }
    assertThat(trie.find("s10000")).isNull();
  }

  @Test
  void hash_ofRegion_equalsStringHashCode() {
    String s = "library/nginx-alpine";
    assertThat(SegmentTrie.hash(s, 8, s.length())).isEqualTo("nginx-alpine".hashCode());
    assertThat(SegmentTrie.hash(s, 3, 3)).isZero();
  }
}
