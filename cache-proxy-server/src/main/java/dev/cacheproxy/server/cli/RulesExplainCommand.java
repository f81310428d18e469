/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.cli;

import dev.cacheproxy.rules.Explanation;
import dev.cacheproxy.rules.NamespaceDeniedException;
import dev.cacheproxy.rules.Registry;
import dev.cacheproxy.rules.RepositoryName;
import dev.cacheproxy.rules.Route;
import dev.cacheproxy.rules.Rule;
import dev.cacheproxy.rules.RulePolicy;
import dev.cacheproxy.server.config.ProxyConfig;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cache-proxy rules explain FILE REPOSITORY}: which rule of a configuration serves a
 * repository name, the upstream it maps to, and why every other rule lost or did not match.
 *
 * <pre>
 * repository: hub/bitnami/redis
 * rule:       bitnami: hub/bitnami/* -&gt; docker.io/bitnamilegacy/* (credentials hub)
 * upstream:   docker.io/bitnamilegacy/redis
 * reason:     the longest matching prefix 'hub/bitnami/'; upstream docker.io/bitnamilegacy/redis
 * other rules:
 *   LOST      hub      matches, but rule 'bitnami' is more specific
 *   NO_MATCH  ghcr     'hub/bitnami/redis' does not start with 'ghcr/'
 * </pre>
 *
 * <p>With {@code --ns REGISTRY}, explains a mirror request that names its registry: denied when the
 * registry is not in the {@code registries} list, else routed to it unless a rule for it claims the
 * name.
 *
 * <p>Exits with 0 when a rule matches, 1 when none does (the reasons are still printed), 2 for an
 * invalid file or repository name. Credential sets appear by name only.
 */
@Command(
    name = "explain",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Shows which rule serves REPOSITORY, its upstream, and why the others do not.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:a rule serves the repository",
      "1:no rule serves it",
      "2:invalid file or repository name"
    })
final class RulesExplainCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "FILE", description = "The YAML configuration file.")
  private @Nullable Path file;

  @Parameters(
      index = "1",
      paramLabel = "REPOSITORY",
      description = "A repository name as clients pull it, such as hub/library/nginx.")
  private @Nullable String repository;

  @Option(
      names = "--ns",
      paramLabel = "REGISTRY",
      description =
          "The registry a mirror request names with ?ns= (as containerd sends it), such as ghcr.io.")
  private @Nullable String namespace;

  @Spec private @Nullable CommandSpec spec;

  @Override
  public Integer call() {
    CommandSpec s = Objects.requireNonNull(spec);
    Path path = Objects.requireNonNull(file);
    PrintWriter out = s.commandLine().getOut();
    PrintWriter err = s.commandLine().getErr();
    ProxyConfig config = RulesCommand.load(path, err);
    if (config == null) {
      return CommandLine.ExitCode.USAGE;
    }
    RepositoryName name;
    try {
      name = RepositoryName.of(Objects.requireNonNull(repository));
    } catch (IllegalArgumentException e) {
      err.println("cache-proxy: " + e.getMessage());
      err.flush();
      return CommandLine.ExitCode.USAGE;
    }
    if (namespace != null) {
      Integer done = explainNamespace(config, name, namespace, out);
      if (done != null) {
        return done;
      }
    }
    Explanation explanation = config.rules().explain(name);
    Optional<Route> route = explanation.route();
    int width =
        explanation.candidates().stream().mapToInt(c -> c.rule().name().length()).max().orElse(0);
    out.println("repository: " + name);
    if (route.isEmpty()) {
      out.println("no rule matches");
      out.println("rules:");
    }
    for (Explanation.Candidate candidate : explanation.candidates()) {
      Rule rule = candidate.rule();
      if (candidate.verdict() == Explanation.Verdict.CHOSEN) {
        out.println("rule:       " + ProxyConfig.describe(rule));
        out.println("upstream:   " + route.map(Route::upstreamName).orElse("?"));
        out.println("reason:     " + candidate.reason());
        String note = note(rule.policy());
        if (note != null) {
          out.println("note:       " + note);
        }
        out.println("other rules:" + (explanation.candidates().size() == 1 ? " none" : ""));
      } else {
        out.println(
            String.format(
                "  %-8s  %-" + width + "s  %s",
                candidate.verdict(),
                rule.name(),
                candidate.reason()));
      }
    }
    out.flush();
    return route.isPresent() ? CommandLine.ExitCode.OK : CommandLine.ExitCode.SOFTWARE;
  }

  /**
   * Prints how a request with {@code ?ns=} is routed when no rule serves it, and returns the exit
   * code; returns null when a rule of the file serves it, which the normal explanation shows.
   */
  private static @Nullable Integer explainNamespace(
      ProxyConfig config, RepositoryName name, String ns, PrintWriter out) {
    Optional<Route> route;
    try {
      route = config.rules().route(name, ns);
    } catch (NamespaceDeniedException e) {
      out.println("repository: " + name);
      out.println("ns:         " + ns);
      out.println("denied:     " + e.getMessage());
      out.flush();
      return CommandLine.ExitCode.SOFTWARE;
    }
    if (route.isEmpty()) {
      return null;
    }
    Route r = route.get();
    if (config.rules().rule(r.rule().name()).filter(rule -> rule.equals(r.rule())).isPresent()) {
      out.println(
          "ns:         " + ns + " (a rule pulling from " + r.registry() + " claims the name)");
      return null;
    }
    out.println("repository: " + name);
    out.println("ns:         " + ns);
    out.println(
        "registry:   "
            + r.registry()
            + " at "
            + endpoints(r.registry())
            + " (registries entry; no rule pulling from it claims the name)");
    out.println("upstream:   " + r.upstreamName());
    out.println("counted as: " + r.rule().name());
    out.flush();
    return CommandLine.ExitCode.OK;
  }

  /** The endpoint of a registry, and its fallbacks: {@code https://a (then https://b)}. */
  static String endpoints(Registry registry) {
    if (registry.fallbacks().isEmpty()) {
      return registry.endpoint().toString();
    }
    return registry.endpoint()
        + " (then "
        + registry.fallbacks().stream().map(URI::toString).collect(Collectors.joining(", then "))
        + ")";
  }

  private static @Nullable String note(RulePolicy policy) {
    return switch (policy.mode()) {
      case ENABLED -> null;
      case READ_ONLY -> "the rule is readOnly: only what is already cached is served";
      case DISABLED -> "the rule is disabled: pulls through it are refused";
    };
  }
}
