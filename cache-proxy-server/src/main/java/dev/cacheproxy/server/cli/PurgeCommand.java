/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cacheproxy.core.ProxyException;
import dev.cacheproxy.core.Reference;
import dev.cacheproxy.core.storage.ByteSizes;
import dev.cacheproxy.server.admin.ImageName;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cache-proxy purge NAME[:TAG|@DIGEST] [--admin URL]}: asks a running server's admin
 * listener to purge a tag, a manifest or a whole repository from its cache ({@code POST
 * /admin/purge}), whatever the retention rules say, and prints what went. The next pull fetches it
 * again from the upstream.
 *
 * <pre>
 * $ cache-proxy purge hub/library/nginx:1.27
 * purged docker.io/library/nginx:1.27: 2 manifests, 1 tag, 7 blobs (68.3 MiB)
 * </pre>
 */
@Command(
    name = "purge",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
      "Asks a running server to remove a tag, a manifest (by digest) or, given a bare NAME, a whole"
          + " repository from its cache; blobs other cached images use stay.",
      "NAME is the name clients pull through the proxy, such as hub/library/nginx."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:purged (or there was nothing cached to purge)",
      "1:the server could not purge (such as no rule routing NAME)",
      "2:bad usage, or the admin listener cannot be reached"
    })
final class PurgeCommand implements Callable<Integer> {

  @Parameters(
      index = "0",
      paramLabel = "NAME[:TAG|@DIGEST]",
      description = "What to purge; a bare NAME purges the whole repository.")
  private String image = "";

  @Mixin private AdminUrlOption admin = new AdminUrlOption();

  @Spec private @Nullable CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    CommandSpec s = Objects.requireNonNull(spec);
    PrintWriter out = s.commandLine().getOut();
    PrintWriter err = s.commandLine().getErr();
    AdminClient client = admin.client(s.commandLine(), Duration.ofMinutes(10));
    ImageName name;
    try {
      name = ImageName.parse(image);
    } catch (ProxyException e) {
      throw new CommandLine.ParameterException(s.commandLine(), String.valueOf(e.getMessage()));
    }
    ObjectNode request = AdminClient.object().put("repository", name.repository().value());
    Reference reference = name.reference();
    if (reference != null) {
      request.put("reference", reference.toString());
    }
    try {
      AdminClient.Response response = client.post("/admin/purge", request);
      if (response.status() != 200) {
        return WarmCommand.refused(err, response);
      }
      out.println(summary(response.body()));
      out.flush();
      return CommandLine.ExitCode.OK;
    } catch (AdminClient.UnreachableException e) {
      err.println("cache-proxy: " + e.getMessage());
      err.flush();
      return CommandLine.ExitCode.USAGE;
    }
  }

  /** {@code purged docker.io/library/nginx:1.27: 2 manifests, 1 tag, 7 blobs (68.3 MiB)}. */
  static String summary(JsonNode report) {
    return "purged "
        + report.path("target").asText()
        + ": "
        + VerifyCommand.plural(report.path("manifests").asLong(), "manifest")
        + ", "
        + VerifyCommand.plural(report.path("tags").asLong(), "tag")
        + ", "
        + VerifyCommand.plural(report.path("blobs").asLong(), "blob")
        + " ("
        + ByteSizes.format(report.path("bytes").asLong())
        + ")";
  }
}
