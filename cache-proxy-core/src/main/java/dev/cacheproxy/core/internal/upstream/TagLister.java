/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.core.internal.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cacheproxy.core.OciErrorCode;
import dev.cacheproxy.core.UpstreamException;
import dev.cacheproxy.core.spi.Credentials;
import dev.cacheproxy.rules.Registry;
import dev.cacheproxy.rules.RepositoryName;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.jspecify.annotations.Nullable;

/**
 * Lists tags: {@code GET /v2/<name>/tags/list?n=&last=}, reading {@code {"name":…,"tags":[…]}} and
 * the next page's {@code last} from the {@code Link: <…>; rel="next"} header.
 */
final class TagLister {

  /** Tag lists of big repositories run to megabytes; more than this is refused. */
  static final int MAX_TAG_LIST = 16 * 1024 * 1024;

  /** One link of a Link header: {@code <uri-reference>} followed by its parameters. */
  private static final Pattern LINK = Pattern.compile("<([^>]*)>([^<]*)");

  private final RegistryEndpointCaller caller;

  TagLister(RegistryEndpointCaller caller) {
    this.caller = caller;
  }

  TagPage list(
      Registry registry,
      RepositoryName repository,
      int n,
      @Nullable String last,
      @Nullable Credentials credentials) {
    StringBuilder query = new StringBuilder();
    if (n > 0) {
      query.append("n=").append(n);
    }
    if (last != null) {
      query.append(query.isEmpty() ? "" : "&").append("last=").append(encode(last));
    }
    String rest = "tags/list" + (query.isEmpty() ? "" : "?" + query);
    RegistryRequest request =
        new RegistryRequest(
            registry,
            repository,
            "GET",
            RegistryRequest.v2(registry, repository, rest),
            List.of(),
            registry.host() + "/" + repository,
            OciErrorCode.NAME_UNKNOWN);
    ClassicHttpResponse response = caller.call(request, credentials);
    List<String> links = new ArrayList<>();
    for (Header h : response.getHeaders("Link")) {
      links.add(h.getValue());
    }
    byte[] body;
    try {
      body = Responses.readAtMost(response, MAX_TAG_LIST);
    } catch (IOException e) {
      throw UpstreamErrors.unreachable(registry.host(), "reading " + request.subject(), e);
    }
    if (body == null) {
      throw invalid(request, "a tag list larger than " + MAX_TAG_LIST + " bytes");
    }
    return new TagPage(parseTags(request, body), nextLast(links));
  }

  private static List<String> parseTags(RegistryRequest request, byte[] body) {
    JsonNode tags;
    try {
      tags = Responses.JSON.readTree(body).path("tags");
    } catch (IOException e) {
      throw invalid(request, "a tag list that is not JSON");
    }
    if (tags.isMissingNode() || tags.isNull()) {
      return List.of();
    }
    if (!tags.isArray()) {
      throw invalid(request, "a tag list whose tags are not an array");
    }
    List<String> result = new ArrayList<>(tags.size());
    for (JsonNode tag : tags) {
      if (!tag.isTextual()) {
        throw invalid(request, "a tag list with a tag that is not a string");
      }
      result.add(tag.asText());
    }
    return result;
  }

  /** The {@code last} parameter of the {@code rel="next"} link, URL-decoded, or null. */
  static @Nullable String nextLast(List<String> linkHeaders) {
    for (String header : linkHeaders) {
      Matcher link = LINK.matcher(header);
      while (link.find()) {
        if (!isRelNext(link.group(2))) {
          continue;
        }
        String target = link.group(1);
        int q = target.indexOf('?');
        if (q < 0) {
          return null;
        }
        int hash = target.indexOf('#', q);
        String query = hash < 0 ? target.substring(q + 1) : target.substring(q + 1, hash);
        for (String param : query.split("&", -1)) {
          if (param.startsWith("last=")) {
            try {
              return URLDecoder.decode(param.substring(5), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
              return null;
            }
          }
        }
        return null;
      }
    }
    return null;
  }

  /** Whether link parameters like {@code ; rel="next"} hold the relation type {@code next}. */
  private static boolean isRelNext(String params) {
    for (String param : params.split("[;,]", -1)) {
      int eq = param.indexOf('=');
      if (eq < 0 || !param.substring(0, eq).trim().equalsIgnoreCase("rel")) {
        continue;
      }
      String value = param.substring(eq + 1).trim().replace("\"", "");
      for (String rel : value.split("\\s+", -1)) {
        if (rel.equalsIgnoreCase("next")) {
          return true;
        }
      }
    }
    return false;
  }

  private static UpstreamException invalid(RegistryRequest request, String what) {
    return new UpstreamException(
        OciErrorCode.UNKNOWN,
        request.subject() + ": " + request.registry().host() + " sent " + what,
        200,
        null,
        null);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
