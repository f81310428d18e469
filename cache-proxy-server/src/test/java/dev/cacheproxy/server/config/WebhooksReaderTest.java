/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.cacheproxy.core.events.WebhookTarget;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code webhooks} list. */
class WebhooksReaderTest {

  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Map<String, String> ENV = Map.of("HOOK_SECRET", "s3cret");

  @TempDir Path dir;

  private static List<WebhookTarget> read(String yaml) {
    return read(yaml, ENV);
  }

  private static List<WebhookTarget> read(String yaml, Map<String, String> env) {
    try {
      JsonNode root = YAML.readTree(yaml);
      return WebhooksReader.read(root == null ? null : root.get("webhooks"), env);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static String refused(String yaml) {
    try {
      read(yaml);
    } catch (ConfigException e) {
      return e.getMessage();
    }
    throw new AssertionError("expected a ConfigException");
  }

  @Test
  void read_everyKey() {
    List<WebhookTarget> targets =
        read(
            """
            webhooks:
              - url: https://hooks.example/cache
                secretEnv: HOOK_SECRET
                events: [cache.fill, tag.updated]
                maxAttempts: 3
            """);

    assertThat(targets)
        .singleElement()
        .satisfies(t -> {
          assertThat(t.url()).isEqualTo(URI.create("https://hooks.example/cache"));
          assertThat(t.secret()).isEqualTo("s3cret");
          assertThat(t.events()).containsExactlyInAnyOrder("cache.fill", "tag.updated");
          assertThat(t.maxAttempts()).isEqualTo(3);
        });
  }

  @Test
  void read_defaults_everyEventUnsignedEightAttempts() {
    assertThat(read("webhooks:\n  - url: http://127.0.0.1:9000/h\n"))
        .singleElement()
        .satisfies(t -> {
          assertThat(t.secret()).isNull();
          assertThat(t.events()).isEmpty();
          assertThat(t.maxAttempts()).isEqualTo(8);
        });
  }

  @Test
  void read_absentOrEmpty_none() {
    assertThat(WebhooksReader.read(null, ENV)).isEmpty();
    assertThat(read("webhooks:\n")).isEmpty();
    assertThat(read("webhooks: []\n")).isEmpty();
  }

  @Test
  void read_secretFile_withoutTrailingNewline() throws IOException {
    Path file = dir.resolve("hook");
    Files.writeString(file, "from-file\n", StandardCharsets.UTF_8);

    assertThat(read("webhooks:\n  - url: https://h/x\n    secretFile: " + file + "\n"))
        .singleElement()
        .satisfies(t -> assertThat(t.secret()).isEqualTo("from-file"));
  }

  @Test
  void read_secretFileMissing_namesTheKey() {
    Path missing = dir.resolve("nope");
    assertThatThrownBy(
            () -> read("webhooks:\n  - url: https://h/x\n    secretFile: " + missing + "\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("webhooks[0].secretFile: cannot read");
  }

  @Test
  void read_secretEnvUnset_namesTheVariableNotASecret() {
    String message =
        refused("webhooks:\n  - url: https://h/x\n  - url: https://h/y\n    secretEnv: OTHER\n");

    assertThat(message)
        .isEqualTo("webhooks[1].secretEnv: the environment variable OTHER is not set or empty");
  }

  @Test
  void read_bothSecrets_refused() {
    assertThat(
            refused(
                "webhooks:\n  - url: https://h/x\n    secretEnv: HOOK_SECRET\n"
                    + "    secretFile: /run/secrets/hook\n"))
        .isEqualTo("webhooks[0].secretEnv: set at most one of secretEnv and secretFile");
  }

  @Test
  void read_badUrl_namesTheKey() {
    assertThat(refused("webhooks:\n  - url: ftp://h/x\n"))
        .startsWith("webhooks[0].url: 'ftp://h/x' must be an http or https URL");
    assertThat(refused("webhooks:\n  - secretEnv: HOOK_SECRET\n"))
        .isEqualTo("webhooks[0].url is missing");
    assertThat(refused("webhooks:\n  - url: http://user:pw@h/x\n"))
        .startsWith("webhooks[0].url: put no user or password in the URL")
        .doesNotContain("pw");
    assertThat(refused("webhooks:\n  - url: https://h/x\n  - url: https://h/x\n"))
        .startsWith("webhooks[1].url: 'https://h/x' is listed twice");
  }

  @Test
  void read_unknownKey_withAHint() {
    assertThat(refused("webhooks:\n  - url: https://h/x\n    maxAttempt: 3\n"))
        .isEqualTo(
            "unknown key 'maxAttempt' at webhooks[0].maxAttempt: expected one of url, secretEnv,"
                + " secretFile, events, maxAttempts; did you mean 'maxAttempts'?");
  }

  @Test
  void read_unknownEventType_namesTheElement() {
    assertThat(refused("webhooks:\n  - url: https://h/x\n    events: [cache.fill, cache.fil]\n"))
        .isEqualTo(
            "webhooks[0].events[1]: unknown event type 'cache.fil': expected one of cache.evict,"
                + " cache.fill, tag.updated, upstream.healthy, upstream.unhealthy");
    assertThat(refused("webhooks:\n  - url: https://h/x\n    events: []\n"))
        .startsWith("webhooks[0].events is empty");
  }

  @Test
  void read_maxAttemptsOutOfRange_refused() {
    assertThat(refused("webhooks:\n  - url: https://h/x\n    maxAttempts: 0\n"))
        .isEqualTo("webhooks[0].maxAttempts must be an integer from 1 to 100, not '0'");
    assertThat(refused("webhooks:\n  - url: https://h/x\n    maxAttempts: 101\n"))
        .contains("from 1 to 100");
  }

  @Test
  void read_notAList_refused() {
    assertThat(refused("webhooks:\n  url: https://h/x\n"))
        .startsWith("webhooks must be a list of webhooks");
    assertThat(refused("webhooks:\n  - https://h/x\n"))
        .startsWith("webhooks[0] must be a mapping of keys to values");
  }

  @Test
  void toString_neverShowsTheSecret() {
    assertThat(read("webhooks:\n  - url: https://h/x\n    secretEnv: HOOK_SECRET\n").toString())
        .doesNotContain("s3cret");
  }
}
