/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.rules;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What a rule allows beyond routing: whether it is in use, which tags may be pulled, how stale a
 * cached tag may be served when the upstream fails, and how the upstream repository name is
 * rewritten.
 *
 * @param mode {@link Mode#ENABLED}, {@link Mode#READ_ONLY} (serve only what is cached, never
 *     contact the upstream) or {@link Mode#DISABLED} (refuse every request for this rule)
 * @param tagInclude glob patterns ({@code *} any characters, {@code ?} one); when not empty, only
 *     tags matching one of them may be pulled
 * @param tagExclude glob patterns; tags matching one of them may not be pulled (beats include)
 * @param staleIfErrorLimit how old a cached tag may be and still be served when its revalidation
 *     fails; null for no limit
 * @param stripPrefix removed from the start of the part of the name a wildcard matched, before it
 *     is appended to the source ("" for none)
 * @param addPrefix put before that part, after {@code stripPrefix} was removed ("" for none)
 * @param retention how long the cache keeps what this rule pulled, beyond least-recently-used
 *     eviction
 */
public record RulePolicy(
    Mode mode,
    List<String> tagInclude,
    List<String> tagExclude,
    @Nullable Duration staleIfErrorLimit,
    String stripPrefix,
    String addPrefix,
    Retention retention) {

  /** Whether a rule is in use. */
  public enum Mode {
    /** Serves from the cache and the upstream. */
    ENABLED,
    /** Serves only what is cached; never contacts the upstream. */
    READ_ONLY,
    /** Refuses every request it matches. */
    DISABLED
  }

  private static final Pattern GLOB = Pattern.compile("[A-Za-z0-9_.*?-]{1,128}");
  private static final Pattern PREFIX =
      Pattern.compile("(?:[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*/)*");

  // Declared after the patterns: the constructor uses them while the class initializes.
  /** Enabled, every tag, no stale limit, no rewriting. */
  public static final RulePolicy DEFAULT =
      new RulePolicy(Mode.ENABLED, List.of(), List.of(), null, "", "", Retention.NONE);

  /**
   * Validates and copies the fields.
   *
   * @throws IllegalArgumentException naming the field and the reason
   */
  public RulePolicy {
    if (mode == null) {
      throw new IllegalArgumentException("field 'mode' is missing");
    }
    if (tagInclude == null) {
      throw new IllegalArgumentException("field 'tagInclude' is missing");
    }
    if (tagExclude == null) {
      throw new IllegalArgumentException("field 'tagExclude' is missing");
    }
    for (String glob : tagInclude) {
      checkGlob("tagInclude", glob);
    }
    for (String glob : tagExclude) {
      checkGlob("tagExclude", glob);
    }
    tagInclude = List.copyOf(tagInclude);
    tagExclude = List.copyOf(tagExclude);
    if (staleIfErrorLimit != null && staleIfErrorLimit.isNegative()) {
      throw new IllegalArgumentException("field 'staleIfErrorLimit' is negative");
    }
    checkPrefix("stripPrefix", stripPrefix);
    checkPrefix("addPrefix", addPrefix);
    if (retention == null) {
      throw new IllegalArgumentException("field 'retention' is missing");
    }
  }

  /** A policy without retention settings ({@link Retention#NONE}). */
  public RulePolicy(
      Mode mode,
      List<String> tagInclude,
      List<String> tagExclude,
      @Nullable Duration staleIfErrorLimit,
      String stripPrefix,
      String addPrefix) {
    this(mode, tagInclude, tagExclude, staleIfErrorLimit, stripPrefix, addPrefix, Retention.NONE);
  }

  /** This policy with another retention. */
  public RulePolicy withRetention(Retention retention) {
    return new RulePolicy(
        mode, tagInclude, tagExclude, staleIfErrorLimit, stripPrefix, addPrefix, retention);
  }

  /**
   * Creates the policy of the named rule, turning a validation error into an {@link
   * InvalidRuleException} that names the rule and the field, as {@link Rule#parseSource} does for
   * sources.
   *
   * @throws InvalidRuleException naming the rule, the field and the reason
   */
  public static RulePolicy forRule(
      String ruleName,
      Mode mode,
      List<String> tagInclude,
      List<String> tagExclude,
      @Nullable Duration staleIfErrorLimit,
      String stripPrefix,
      String addPrefix) {
    try {
      return new RulePolicy(
          mode, tagInclude, tagExclude, staleIfErrorLimit, stripPrefix, addPrefix);
    } catch (IllegalArgumentException e) {
      throw new InvalidRuleException("rule '" + ruleName + "': " + e.getMessage());
    }
  }

  /** Whether the tag filters allow pulling {@code tag}. */
  public boolean allowsTag(String tag) {
    for (String glob : tagExclude) {
      if (globMatches(glob, tag)) {
        return false;
      }
    }
    if (tagInclude.isEmpty()) {
      return true;
    }
    for (String glob : tagInclude) {
      if (globMatches(glob, tag)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Applies {@link #stripPrefix} and {@link #addPrefix} to the part of a name a wildcard matched.
   */
  String rewrite(String remainder) {
    String r =
        !stripPrefix.isEmpty() && remainder.startsWith(stripPrefix)
            ? remainder.substring(stripPrefix.length())
            : remainder;
    return addPrefix + r;
  }

  /** Glob matching with {@code *} and {@code ?}, iterative, linear in practice. */
  static boolean globMatches(String glob, String text) {
    int g = 0;
    int t = 0;
    int star = -1;
    int mark = 0;
    while (t < text.length()) {
      if (g < glob.length() && (glob.charAt(g) == '?' || glob.charAt(g) == text.charAt(t))) {
        g++;
        t++;
      } else if (g < glob.length() && glob.charAt(g) == '*') {
        star = g++;
        mark = t;
      } else if (star >= 0) {
        g = star + 1;
        t = ++mark;
      } else {
        return false;
      }
    }
    while (g < glob.length() && glob.charAt(g) == '*') {
      g++;
    }
    return g == glob.length();
  }

  private static void checkGlob(String field, String glob) {
    if (glob == null || !GLOB.matcher(glob).matches()) {
      throw new IllegalArgumentException(
          "field '"
              + field
              + "': '"
              + glob
              + "' is not a tag pattern (letters, digits, '_', '.', '-', '*' and '?')");
    }
  }

  private static void checkPrefix(String field, String prefix) {
    if (prefix == null || !PREFIX.matcher(prefix).matches()) {
      throw new IllegalArgumentException(
          "field '"
              + field
              + "': '"
              + prefix
              + "' must be repository path components each ending in '/', like 'legacy/'");
    }
  }
}
