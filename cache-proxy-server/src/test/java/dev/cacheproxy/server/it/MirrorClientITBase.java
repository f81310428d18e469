/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.cacheproxy.server.clientconfig.ClientConfigGenerator;
import dev.cacheproxy.server.clientconfig.ClientRuntime;
import dev.cacheproxy.server.clientconfig.GeneratedFile;
import dev.cacheproxy.server.clientconfig.MirrorTarget;
import dev.cacheproxy.server.it.MirrorProxy.Request;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The shared part of the tests in which a real container client (dockerd, containerd's {@code ctr},
 * podman, skopeo) pulls through the proxy as its registry mirror, set up the way a user would: the
 * proxy runs a production-shaped config ({@link #proxyConfig()}) and each client reads the file
 * {@link ClientConfigGenerator} writes for it ({@code cache-proxy client-config}), never a
 * hand-written one.
 *
 * <p>In that config the class's test registry stands in for {@code docker.io}, {@code ghcr.io} and
 * {@code registry.example.test} through their {@code registries:} URLs, so a pull of {@code
 * docker.io/library/<name>} comes from {@code library/<name>} on the test registry, and the access
 * log names the registry the client meant ({@code rule=default upstream=docker.io/library/<name>}).
 * Each test pushes its own repositories and starts its own proxy, so cache entries never mix.
 *
 * <p>{@link #pullTwiceThroughTheProxy} is the check every client passes: the pull asks the proxy
 * only for the expected path, rule and upstream, gets the pushed digests and makes the proxy fetch
 * every blob upstream; after the client removes the image, a second pull is served from the cache
 * with no upstream request at all.
 */
abstract class MirrorClientITBase extends EndToEndTestBase {

  /** A registry the containerd tests reach only by {@code ?ns=}: no rule names it. */
  static final String EXAMPLE_REGISTRY = "registry.example.test";

  /**
   * One real client, as {@link #pullTwiceThroughTheProxy} drives it. References are in the client's
   * own syntax ({@code docker://} for skopeo).
   */
  interface MirrorClient {

    /** Pulls {@code ref} with the client's mirror configuration; fails if the client fails. */
    void pull(String ref);

    /** Checks that what the client holds as {@code ref} is {@code image}, digest for digest. */
    void assertHolds(String ref, TestImages.Image image);

    /** Removes {@code ref} and checks it is gone, so that the next pull fetches it again. */
    void remove(String ref);

    /**
     * {@code client} pulling and removing with its own commands, which must succeed, and checked
     * after each pull with {@code assertHolds}.
     */
    static MirrorClient of(ImageClient client, BiConsumer<String, TestImages.Image> assertHolds) {
      return new MirrorClient() {
        @Override
        public void pull(String ref) {
          client.pull(ref).requireSuccess();
        }

        @Override
        public void assertHolds(String ref, TestImages.Image image) {
          assertHolds.accept(ref, image);
        }

        @Override
        public void remove(String ref) {
          client.removeImage(ref).requireSuccess();
          assertThat(client.hasImage(ref)).as("whether it has %s after removing it", ref).isFalse();
        }
      };
    }
  }

  /**
   * What the proxy's access log must show for every request of a pull through the mirror except the
   * {@code GET /v2/} ping.
   *
   * @param repositoryPath the path the client asks under, {@code /v2/<name as sent>}
   * @param query the decoded query string the client adds: {@code ns=<registry>}, or empty
   * @param rule the rule that routes the name
   * @param upstream where the rule sends it, {@code <registry>/<repository>}
   */
  record ExpectedRoute(String repositoryPath, String query, String rule, String upstream) {

    /** A client that sends no {@code ?ns=} (dockerd, podman, skopeo) and asks for {@code name}. */
    static ExpectedRoute plain(String name, String rule, String upstream) {
      return new ExpectedRoute("/v2/" + name, "", rule, upstream);
    }

    /** containerd, which asks for {@code name} with {@code ?ns=<ns>}. */
    static ExpectedRoute withNs(String name, String ns, String rule, String upstream) {
      return new ExpectedRoute("/v2/" + name, "ns=" + ns, rule, upstream);
    }

    /** The repository on the test registry: the upstream without its registry. */
    String upstreamRepository() {
      return upstream.substring(upstream.indexOf('/') + 1);
    }

    /** Checks {@code requests}, those of one pull, against this route. */
    void assertRequestsOfAPull(List<Request> requests, String what) {
      assertThat(requests)
          .as("what %s asked the mirror for", what)
          .anyMatch(r -> r.path().startsWith(repositoryPath + "/manifests/"))
          .allMatch(r -> r.path().equals("/v2/") || r.path().startsWith(repositoryPath + "/"));
      assertThat(requests)
          .filteredOn(r -> !r.path().equals("/v2/"))
          .as("query, rule and upstream of what %s asked the mirror for", what)
          .extracting(Request::decodedQuery, Request::rule, Request::upstream)
          .containsOnly(tuple(query, rule, upstream));
    }
  }

  /**
   * The proxy's config, the one all client tests share, shaped as a production config would be:
   * {@code registries} that {@code ?ns=} may name, a default rule ({@code *}) onto Docker Hub for
   * plain names, the alias {@code ghcr/*} and, for the test registry under its own name, {@code
   * up/*}. Every registry is the test registry ({@code url}); tags are fresh for an hour, so a
   * re-pull needs nothing from upstream.
   */
  static String proxyConfig() {
    return """
    server:
      bindAddress: 127.0.0.1
    registries:
      docker.io: {url: "http://%1$s", tagFreshness: 1h}
      ghcr.io: {url: "http://%1$s", tagFreshness: 1h}
      %2$s: {url: "http://%1$s", tagFreshness: 1h}
      "%1$s": {url: "http://%1$s", tagFreshness: 1h}
    rules:
      - {name: default, target: "*", source: "docker.io/*", tagFreshness: 1h}
      - {name: ghcr, target: "ghcr/*", source: "ghcr.io/*", tagFreshness: 1h}
      - {name: up, target: "up/*", source: "http://%1$s/*", tagFreshness: 1h}
    """
        .formatted(registry().hostPort(), EXAMPLE_REGISTRY);
  }

  /** Starts a proxy with {@link #proxyConfig()}, its cache in {@code tmp/data}. */
  static MirrorProxy startProxy(Path tmp) {
    return MirrorProxy.start(proxyConfig(), tmp.resolve("data"));
  }

  /**
   * {@code registry} mirrored through {@code proxy} at its real address, {@code 127.0.0.1:PORT}.
   */
  static MirrorTarget mirrorOf(MirrorProxy proxy, String registry) {
    return MirrorTarget.of(proxy.hostPort(), registry);
  }

  /**
   * The content of the one file {@link ClientConfigGenerator} writes for {@code runtime} whose path
   * ends with {@code pathEnd}, such as {@code /daemon.json}.
   */
  static String generated(ClientRuntime runtime, MirrorTarget target, String pathEnd) {
    List<GeneratedFile> files =
        ClientConfigGenerator.generate(runtime, target).files().stream()
            .filter(file -> file.path().endsWith(pathEnd))
            .toList();
    assertThat(files).as("files generated for %s ending with %s", runtime, pathEnd).hasSize(1);
    return files.getFirst().content();
  }

  /** The {@code registries.conf.d} drop-in for podman and skopeo to mirror {@code registry}. */
  static String podmanDropIn(MirrorProxy proxy, String registry) {
    return generated(ClientRuntime.PODMAN, mirrorOf(proxy, registry), ".conf");
  }

  /**
   * The drop-in for podman and skopeo that mirrors the test registry under its own name ({@code
   * 127.0.0.1:UP}, plain HTTP) for pulls by digest only, through the rule {@code up/*}: {@code
   * client-config --runtime podman --registry 127.0.0.1:UP --path-prefix up --digest-only
   * --upstream-url http://127.0.0.1:UP}.
   */
  static String digestOnlyDropIn(MirrorProxy proxy) {
    MirrorTarget target =
        mirrorOf(proxy, registry().hostPort())
            .withPathPrefix("up")
            .withDigestOnly(true)
            .withUpstreamUrl(URI.create(registry().url()));
    String dropIn = generated(ClientRuntime.PODMAN, target, ".conf");
    assertThat(dropIn)
        .as("the drop-in for a plain-HTTP registry, digest only")
        .contains("\ninsecure = true  # " + registry().hostPort() + " itself is plain HTTP\n")
        .contains("\nmirror-by-digest-only = true\n");
    return dropIn;
  }

  /** Writes an image of three small layers and pushes it to {@code repo:v1} upstream. */
  static TestImages.Image push(Path tmp, String repo, long seed) throws Exception {
    TestImages.Image image =
        TestImages.write(tmp.resolve("layout"), "v1", seed, 300 * 1024, 200 * 1024, 1024);
    skopeo().push(image.layout(), "v1", registry().ref(repo, "v1"));
    return image;
  }

  /**
   * Pulls {@code ref} with {@code client} and checks that it came through the proxy as {@code
   * expected} with the pushed digests, the proxy fetching every blob upstream; then removes it,
   * pulls it again and checks that the proxy served it from its cache without asking upstream.
   */
  static void pullTwiceThroughTheProxy(
      MirrorProxy proxy,
      MirrorClient client,
      TestImages.Image image,
      String ref,
      ExpectedRoute expected) {
    int proxyBefore = proxy.settledRequests().size();
    int upstreamBefore = registry().settledRequests().size();
    client.pull(ref);
    List<Request> cold = awaitEveryBlob(proxy, proxyBefore, image, "the pull of " + ref);
    expected.assertRequestsOfAPull(cold, "the pull of " + ref);
    client.assertHolds(ref, image);
    registry()
        .awaitRequests(
            entries ->
                AccessLogEntry.blobGets(
                        AccessLogEntry.since(entries, upstreamBefore),
                        expected.upstreamRepository())
                    .keySet()
                    .containsAll(image.blobDigests()),
            "the proxy fetching every blob of " + expected.upstream());

    client.remove(ref);
    int proxyMark = proxy.settledRequests().size();
    int upstreamMark = registry().settledRequests().size();
    client.pull(ref);
    List<Request> warm = awaitEveryBlob(proxy, proxyMark, image, "the second pull of " + ref);
    expected.assertRequestsOfAPull(warm, "the second pull of " + ref);
    assertThat(warm)
        .as("blob GETs of the second pull, all served from the cache")
        .filteredOn(r -> r.blobGet().isPresent())
        .isNotEmpty()
        .allMatch(r -> r.status() == 200 && r.cache().equals("HIT"));
    assertThat(
            MirrorProxy.withoutMarkers(
                AccessLogEntry.since(registry().settledRequests(), upstreamMark)))
        .as("upstream requests of the second pull")
        .isEmpty();
    client.assertHolds(ref, image);
  }

  /**
   * Checks a client whose mirror of the test registry is for pulls by digest only ({@link
   * #digestOnlyDropIn}): a pull of {@code <name>:v1} goes to the registry itself ({@code
   * /v2/<repo>/manifests/v1}) and not to the proxy; then a pull of {@code <name>@<digest>} goes
   * through the proxy's rule {@code up/*}, twice ({@link #pullTwiceThroughTheProxy}).
   *
   * @param name the image name as the client writes it: the test registry's {@code
   *     host:port/<repo>}, with the client's prefix ({@code docker://} for skopeo)
   */
  static void assertOnlyPullsByDigestUseTheProxy(
      MirrorProxy proxy, MirrorClient client, TestImages.Image image, String name, String repo) {
    String byTag = name + ":v1";
    int proxyBefore = proxy.settledRequests().size();
    int upstreamBefore = registry().settledRequests().size();
    client.pull(byTag);
    assertThat(MirrorProxy.since(proxy.settledRequests(), proxyBefore))
        .as("what the pull by tag %s asked the mirror", byTag)
        .isEmpty();
    assertThat(AccessLogEntry.since(registry().settledRequests(), upstreamBefore))
        .as("what the pull by tag %s asked the registry itself", byTag)
        .anyMatch(e -> e.path().equals("/v2/" + repo + "/manifests/v1"));
    client.assertHolds(byTag, image);
    client.remove(byTag);

    pullTwiceThroughTheProxy(
        proxy,
        client,
        image,
        name + "@" + image.manifest().digest(),
        ExpectedRoute.plain("up/" + repo, "up", registry().hostPort() + "/" + repo));
  }

  /**
   * The requests after the first {@code mark}, once they hold a GET of every blob of {@code image}.
   */
  private static List<Request> awaitEveryBlob(
      MirrorProxy proxy, int mark, TestImages.Image image, String what) {
    return MirrorProxy.since(
        proxy.awaitRequests(
            requests ->
                MirrorProxy.blobGets(MirrorProxy.since(requests, mark))
                    .keySet()
                    .containsAll(image.blobDigests()),
            "a GET of every blob by " + what),
        mark);
  }
}
