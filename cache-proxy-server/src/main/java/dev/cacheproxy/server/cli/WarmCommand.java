/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cacheproxy.core.storage.ByteSizes;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cache-proxy warm IMAGE [--platform P]... [--admin URL] [--no-wait]}: asks a running
 * server's admin listener to pre-warm an image ({@code POST /admin/warm}), then follows the job
 * ({@code GET /admin/warm/<id>} every {@link #POLL_INTERVAL}) with a {@link ProgressBar} on
 * standard error, and prints a summary line.
 *
 * <pre>
 * $ cache-proxy warm hub/library/nginx:1.27 --platform linux/amd64
 * warmed hub/library/nginx:1.27: fetched 7 of 7 blobs (68.3 MiB of 68.3 MiB) in 4.2 s
 * </pre>
 */
@Command(
    name = "warm",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
      "Asks a running server to pre-warm its cache with an image, so that later pulls need no"
          + " upstream, and follows the progress.",
      "IMAGE is the name clients pull through the proxy: NAME[:TAG|@DIGEST] (default tag: latest)."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the image is cached (or, with --no-wait, the warm was started)",
      "1:the warm failed (such as an unknown tag or an upstream that is down)",
      "2:bad usage, or the admin listener cannot be reached"
    })
final class WarmCommand implements Callable<Integer> {

  /** How often the job is asked how far it is. */
  static final Duration POLL_INTERVAL = Duration.ofMillis(500);

  @Parameters(index = "0", paramLabel = "IMAGE", description = "NAME[:TAG|@DIGEST] to warm.")
  private String image = "";

  @Option(
      names = "--platform",
      paramLabel = "OS/ARCH[/VARIANT]",
      description =
          "A platform to warm from a multi-platform image, such as linux/amd64; repeat for more"
              + " (default: every platform).")
  private List<String> platforms = new ArrayList<>();

  @Mixin private AdminUrlOption admin = new AdminUrlOption();

  @Option(
      names = "--no-wait",
      description = "Start the warm and exit, printing the job's URL, instead of following it.")
  private boolean noWait;

  @Spec private @Nullable CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    CommandSpec s = Objects.requireNonNull(spec);
    PrintWriter out = s.commandLine().getOut();
    PrintWriter err = s.commandLine().getErr();
    AdminClient client = admin.client(s.commandLine(), Duration.ofSeconds(30));
    ObjectNode request = AdminClient.object().put("image", image);
    ArrayNode list = request.putArray("platforms");
    platforms.forEach(list::add);
    try {
      AdminClient.Response started = client.post("/admin/warm", request);
      if (started.status() != 202) {
        return refused(err, started);
      }
      String id = started.body().path("id").asText("");
      if (noWait) {
        out.println(
            "warming "
                + started.body().path("image").asText(image)
                + ": job "
                + id
                + ", "
                + client.base()
                + "/admin/warm/"
                + id);
        out.flush();
        return CommandLine.ExitCode.OK;
      }
      return follow(client, id, out, err);
    } catch (AdminClient.UnreachableException e) {
      err.println("cache-proxy: " + e.getMessage());
      err.flush();
      return CommandLine.ExitCode.USAGE;
    }
  }

  /** Polls the job until it ends, drawing its progress; returns the exit code. */
  private static int follow(AdminClient client, String id, PrintWriter out, PrintWriter err)
      throws AdminClient.UnreachableException, InterruptedException {
    ProgressBar progress = ProgressBar.onStandardError(err, "warm");
    while (true) {
      AdminClient.Response response = client.get("/admin/warm/" + id);
      if (response.status() != 200) {
        progress.finish();
        return refused(err, response);
      }
      JsonNode job = response.body();
      progress.progress(
          job.path("blobsDone").asLong(),
          job.path("blobsTotal").asLong(),
          job.path("bytesDone").asLong(),
          job.path("bytesTotal").asLong());
      String status = job.path("status").asText("");
      if (status.equals("done")) {
        progress.finish();
        out.println(summary(job));
        out.flush();
        return CommandLine.ExitCode.OK;
      }
      if (!status.equals("running")) {
        progress.finish();
        err.println(
            "cache-proxy: warming "
                + job.path("image").asText()
                + " failed: "
                + job.path("error").asText("unknown error"));
        err.flush();
        return CommandLine.ExitCode.SOFTWARE;
      }
      Thread.sleep(POLL_INTERVAL);
    }
  }

  /**
   * {@code warmed hub/library/nginx:1.27: fetched 7 of 7 blobs (68.3 MiB of 68.3 MiB) in 4.2 s}, or
   * {@code … : all 7 blobs (68.3 MiB) were cached already, in 0.1 s}.
   */
  static String summary(JsonNode job) {
    JsonNode report = job.path("report");
    long blobs = report.path("blobs").asLong();
    long fetched = report.path("blobsFetched").asLong();
    long bytes = report.path("bytes").asLong();
    long bytesFetched = report.path("bytesFetched").asLong();
    String took = VerifyCommand.duration(Duration.ofMillis(report.path("tookMillis").asLong()));
    String image = job.path("image").asText();
    if (fetched == 0) {
      return "warmed "
          + image
          + ": all "
          + VerifyCommand.plural(blobs, "blob")
          + " ("
          + ByteSizes.format(bytes)
          + ") were cached already, in "
          + took;
    }
    return "warmed "
        + image
        + ": fetched "
        + fetched
        + " of "
        + VerifyCommand.plural(blobs, "blob")
        + " ("
        + ByteSizes.format(bytesFetched)
        + " of "
        + ByteSizes.format(bytes)
        + ") in "
        + took;
  }

  /** Prints why the admin API refused; 2 for a bad request, else 1. */
  static int refused(PrintWriter err, AdminClient.Response response) {
    err.println("cache-proxy: " + response.errorMessage());
    err.flush();
    return response.status() == 400 || response.status() == 413
        ? CommandLine.ExitCode.USAGE
        : CommandLine.ExitCode.SOFTWARE;
  }
}
