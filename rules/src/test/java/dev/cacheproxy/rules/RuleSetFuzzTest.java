/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.rules;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Fuzzes building a {@link RuleSet} from rules, registries and governance written as text, one line
 * each (see {@code RuleSetFuzzTestInputs/of/}):
 *
 * <pre>
 * allow HOST...                      governance.allowedRegistries
 * max N                              governance.maxRules
 * registry HOST [URL...]             a registries entry
 * rule NAME TARGET SOURCE [KEY=VALUE...]   keys: credentials, include, exclude (comma-separated
 *                                    globs), strip, add, mode (enabled, readOnly, disabled)
 * probe NAME                         a repository name to route
 * </pre>
 *
 * <p>A missing rule field is passed as null (the rule constructor checks for it), a missing
 * registry host as "". Properties: a refused set fails only with {@link InvalidRuleException} with
 * a message; an accepted set finds every rule by name, routes each static target to its own rule,
 * and {@link RuleSet#route} agrees with {@link RuleSet#explain} for the probes and for a name under
 * every target.
 */
class RuleSetFuzzTest {

  @FuzzTest
  void of(byte[] input) {
    if (input.length > 16_384) {
      return; // bounded work per input; a rules list this long adds nothing a shorter one lacks
    }
    Spec spec = Spec.read(new String(input, UTF_8));
    RuleSet set;
    try {
      List<Rule> rules = new ArrayList<>();
      for (String[] words : spec.rules()) {
        rules.add(rule(words));
      }
      List<RegistryEntry> entries = new ArrayList<>();
      for (String[] words : spec.registries()) {
        entries.add(
            RegistryEntry.ofEndpoints(
                // the host is not nullable (the package is @NullMarked): "" stands for a missing
                // one
                words.length > 1 ? words[1] : "",
                Arrays.asList(words).subList(Math.min(2, words.length), words.length),
                null,
                null));
      }
      set =
          RuleSet.of(
              rules, new Governance(spec.allowed(), spec.maxRules()), Registries.of(entries));
    } catch (InvalidRuleException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }

    List<String> names = new ArrayList<>(spec.probes());
    for (Rule rule : set.rules()) {
      assertThat(set.rule(rule.name())).contains(rule);
      String target = rule.target();
      names.add(
          target.equals("*") ? "x" : target.endsWith("/*") ? target.replace("*", "x") : target);
      if (!rule.isWildcard()) {
        Optional<Route> route = set.route(RepositoryName.of(target));
        assertThat(route).as("route of static target %s", target).isPresent();
        assertThat(route.get().rule().name()).isEqualTo(rule.name());
      }
    }
    for (String value : names) {
      if (!RepositoryName.isValid(value)) {
        continue;
      }
      RepositoryName name = RepositoryName.of(value);
      Optional<Route> route = set.route(name);
      assertThat(set.explain(name).route()).as("explain of %s", value).isEqualTo(route);
      route.ifPresent(r -> assertThat(r.clientRepository()).isEqualTo(name));
    }
  }

  private static Rule rule(String[] words) {
    String name = word(words, 1);
    String credentials = null;
    List<String> include = List.of();
    List<String> exclude = List.of();
    String strip = "";
    String add = "";
    RulePolicy.Mode mode = RulePolicy.Mode.ENABLED;
    for (int i = 4; i < words.length; i++) {
      int eq = words[i].indexOf('=');
      String key = eq < 0 ? words[i] : words[i].substring(0, eq);
      String value = eq < 0 ? "" : words[i].substring(eq + 1);
      switch (key) {
        case "credentials" -> credentials = value;
        case "include" -> include = Arrays.asList(value.split(",", -1));
        case "exclude" -> exclude = Arrays.asList(value.split(",", -1));
        case "strip" -> strip = value;
        case "add" -> add = value;
        case "mode" ->
            mode =
                switch (value) {
                  case "readOnly" -> RulePolicy.Mode.READ_ONLY;
                  case "disabled" -> RulePolicy.Mode.DISABLED;
                  default -> RulePolicy.Mode.ENABLED;
                };
        default -> {}
      }
    }
    RulePolicy policy =
        RulePolicy.forRule(String.valueOf(name), mode, include, exclude, null, strip, add);
    return new Rule(
        name,
        word(words, 2),
        Rule.parseSource(String.valueOf(name), word(words, 3)),
        credentials,
        null,
        policy);
  }

  private static @Nullable String word(String[] words, int i) {
    return i < words.length ? words[i] : null;
  }

  /** The lines of an input, sorted by kind. */
  record Spec(
      List<String[]> rules,
      List<String[]> registries,
      Set<String> allowed,
      int maxRules,
      List<String> probes) {

    static Spec read(String text) {
      List<String[]> rules = new ArrayList<>();
      List<String[]> registries = new ArrayList<>();
      Set<String> allowed = new LinkedHashSet<>();
      int maxRules = Governance.DEFAULT_MAX_RULES;
      List<String> probes = new ArrayList<>();
      for (String line : text.lines().toList()) {
        String[] words = line.strip().split(" +");
        switch (words[0]) {
          case "rule" -> rules.add(words);
          case "registry" -> registries.add(words);
          case "probe" -> probes.addAll(Arrays.asList(words).subList(1, words.length));
          case "allow" -> {
            for (String host : Arrays.asList(words).subList(1, words.length)) {
              if (isHost(host)) {
                allowed.add(host);
              }
            }
          }
          case "max" -> {
            try {
              maxRules = Math.max(1, Integer.parseInt(words.length > 1 ? words[1] : ""));
            } catch (NumberFormatException e) {
              // not a number: keep the default
            }
          }
          default -> {}
        }
      }
      return new Spec(rules, registries, allowed, maxRules, probes);
    }

    /** Whether {@link Registry#of} takes the host (it documents IllegalArgumentException). */
    private static boolean isHost(String host) {
      try {
        Registry.of(host);
        return true;
      } catch (IllegalArgumentException e) {
        return false;
      }
    }
  }
}
