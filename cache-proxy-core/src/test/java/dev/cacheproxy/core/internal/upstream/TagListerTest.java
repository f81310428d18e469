/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Parsing of the tag list {@code Link} header by {@link TagLister}. */
class TagListerTest {

  @Test
  void nextLast_relNext_lastDecoded() {
    assertThat(
            TagLister.nextLast(
                List.of("</v2/library/nginx/tags/list?n=100&last=v1.0%2Bbuild>; rel=\"next\"")))
        .isEqualTo("v1.0+build");
  }

  @Test
  void nextLast_absoluteUrlAmongOtherLinks_nextChosen() {
    assertThat(
            TagLister.nextLast(
                List.of(
                    "<https://r/v2/a/tags/list?last=z>; rel=\"prev\", "
                        + "<https://r/v2/a/tags/list?last=b&n=2>; REL=next")))
        .isEqualTo("b");
  }

  @Test
  void nextLast_noNextOrNoLast_null() {
    assertThat(TagLister.nextLast(List.of())).isNull();
    assertThat(TagLister.nextLast(List.of("</v2/a/tags/list?last=x>; rel=\"prev\""))).isNull();
    assertThat(TagLister.nextLast(List.of("</v2/a/tags/list?n=5>; rel=\"next\""))).isNull();
  }
}
