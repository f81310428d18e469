/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.rules;

import java.time.Duration;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One cache rule: clients pulling a repository matching {@code target} are served from {@code
 * source}.
 *
 * <p>A target is either static ({@code team/base}: that one repository), a wildcard ({@code hub/*}:
 * every repository below {@code hub/}), or {@code *} (every repository no other rule claims, the
 * way a registry mirror is addressed). A static target needs a static source; a wildcard target
 * needs a wildcard source, and the part of the name the {@code *} matched is appended to the
 * source's prefix.
 *
 * @param name a unique name, used in errors and logs
 * @param target the alias clients pull from
 * @param source the upstream registry and repository
 * @param credentials the name of the credential set for the upstream, or null for anonymous pulls
 * @param tagFreshness how long a cached tag is served without asking the upstream
 * @param policy mode, tag filters, stale limit and name rewriting
 */
public record Rule(
    String name,
    String target,
    Source source,
    @Nullable String credentials,
    Duration tagFreshness,
    RulePolicy policy) {

  /** The tag freshness used when a rule does not set one. */
  public static final Duration DEFAULT_TAG_FRESHNESS = Duration.ofMinutes(5);

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /**
   * Validates the rule.
   *
   * @throws InvalidRuleException naming the rule, the field and the reason
   */
  public Rule {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidRuleException(
          "rule '" + name + "': field 'name' must be 1-64 letters, digits, '.', '_' or '-'");
    }
    if (source == null) {
      throw new InvalidRuleException("rule '" + name + "': field 'source' is missing");
    }
    if (tagFreshness == null) {
      tagFreshness = DEFAULT_TAG_FRESHNESS;
    }
    if (policy == null) {
      policy = RulePolicy.DEFAULT;
    }
    if (tagFreshness.isNegative()) {
      throw new InvalidRuleException("rule '" + name + "': field 'tagFreshness' is negative");
    }
    if (credentials != null && credentials.isBlank()) {
      throw new InvalidRuleException("rule '" + name + "': field 'credentials' is blank");
    }
    if (target == null || target.isEmpty()) {
      throw new InvalidRuleException("rule '" + name + "': field 'target' is missing");
    }
    boolean wildcard = target.equals("*") || target.endsWith("/*");
    String fixed =
        target.equals("*") ? "" : wildcard ? target.substring(0, target.length() - 2) : target;
    if (fixed.contains("*")) {
      throw new InvalidRuleException(
          "rule '" + name + "': field 'target' '" + target + "' may only end in /* or be *");
    }
    if (!target.equals("*") && !RepositoryName.isValid(fixed)) {
      throw new InvalidRuleException(
          "rule '" + name + "': field 'target' '" + target + "' is not a valid repository name");
    }
    if (wildcard != source.isWildcard()) {
      throw new InvalidRuleException(
          "rule '"
              + name
              + "': field 'source': "
              + (wildcard
                  ? "wildcard target '"
                      + target
                      + "' needs a wildcard source (ending in /*), not '"
                      + source
                      + "'"
                  : "static target '"
                      + target
                      + "' needs a static source, not the wildcard '"
                      + source
                      + "'"));
    }
    if (!wildcard && (!policy.stripPrefix().isEmpty() || !policy.addPrefix().isEmpty())) {
      throw new InvalidRuleException(
          "rule '"
              + name
              + "': field '"
              + (policy.stripPrefix().isEmpty() ? "addPrefix" : "stripPrefix")
              + "' rewrites what a wildcard matched, but target '"
              + target
              + "' is static");
    }
  }

  /** Creates a rule with the default policy. */
  public Rule(
      String name,
      String target,
      Source source,
      @Nullable String credentials,
      Duration tagFreshness) {
    this(name, target, source, credentials, tagFreshness, RulePolicy.DEFAULT);
  }

  /** Creates a rule without credentials and with the default tag freshness and policy. */
  public static Rule of(String name, String target, String source) {
    return new Rule(name, target, parseSource(name, source), null, DEFAULT_TAG_FRESHNESS);
  }

  /**
   * Parses a source for the named rule, turning a parse error into an {@link InvalidRuleException}.
   */
  public static Source parseSource(String ruleName, String source) {
    try {
      return Source.parse(source);
    } catch (IllegalArgumentException e) {
      throw new InvalidRuleException("rule '" + ruleName + "': field 'source': " + e.getMessage());
    }
  }

  /** Whether the target is a wildcard ({@code *} or ending in {@code /*}). */
  public boolean isWildcard() {
    return target.endsWith("*");
  }

  /** Whether this is the default rule, target {@code *}. */
  public boolean isDefault() {
    return target.equals("*");
  }

  /** The fixed prefix of a wildcard target, with its trailing slash, or "" for {@code *}. */
  String targetPrefix() {
    return target.equals("*") ? "" : target.substring(0, target.length() - 1);
  }
}
