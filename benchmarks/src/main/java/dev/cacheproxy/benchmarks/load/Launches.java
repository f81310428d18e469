/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.benchmarks.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How each process of the run is started, with the configuration it is given. Every cache logs no
 * access lines (cache-proxy {@code log.accessLog: false}, distribution {@code accesslog.disabled},
 * nginx {@code access_log off}); only the upstream logs them, and the run counts its blob GETs.
 */
final class Launches {
  private Launches() {}

  /** The upstream: docker-registry on its own storage, logging one access line per request. */
  static ServedSystem.Launch upstream() {
    return (dir, port) -> {
      write(
          dir.resolve("config.yml"),
          """
          version: 0.1
          log: {level: error}
          storage: {filesystem: {rootdirectory: %s}, delete: {enabled: true}}
          http: {addr: 127.0.0.1:%d}
          """
              .formatted(dir.resolve("state"), port));
      return List.of("docker-registry", "serve", dir.resolve("config.yml").toString());
    };
  }

  /** The distribution registry in proxy mode, pulling through the link. */
  static ServedSystem.Launch distributionProxy(int linkPort) {
    return (dir, port) -> {
      write(
          dir.resolve("config.yml"),
          """
          version: 0.1
          log: {level: error, accesslog: {disabled: true}}
          storage: {filesystem: {rootdirectory: %s}, cache: {blobdescriptor: inmemory}}
          http: {addr: 127.0.0.1:%d}
          proxy: {remoteurl: "http://127.0.0.1:%d"}
          """
              .formatted(dir.resolve("state"), port, linkPort));
      return List.of("docker-registry", "serve", dir.resolve("config.yml").toString());
    };
  }

  /**
   * nginx as a caching reverse proxy in front of the link: {@code proxy_cache} keyed by URI and
   * {@code Accept}, everything with status 200 kept for a day, no {@code proxy_cache_lock} (its
   * default: concurrent misses each go upstream).
   */
  static ServedSystem.Launch nginxProxyCache(int linkPort) {
    return (dir, port) -> {
      Path state = dir.resolve("state");
      String conf =
          nginxHead(dir)
              + """
                proxy_cache_path %1$s/cache levels=1:2 keys_zone=registry:16m max_size=20g inactive=1d use_temp_path=off;
                upstream link { server 127.0.0.1:%2$d; keepalive 64; }
                server {
                  listen 127.0.0.1:%3$d;
                  location /v2/ {
                    proxy_pass http://link;
                    proxy_http_version 1.1;
                    proxy_set_header Connection "";
                    proxy_cache registry;
                    proxy_cache_key "$request_uri|$http_accept";
                    proxy_cache_valid 200 1d;
                    proxy_ignore_headers Cache-Control Expires Set-Cookie;
                    add_header X-Cache $upstream_cache_status;
                  }
                }
              }
              """
                  .formatted(state, linkPort, port);
      return nginx(dir, conf);
    };
  }

  /**
   * nginx serving the upstream's blob files straight from its storage with {@code sendfile}: the
   * physical limit for warm blob GETs on this machine.
   */
  static ServedSystem.Launch nginxSendfile(Path upstreamStorage) {
    return (dir, port) -> {
      String conf =
          nginxHead(dir)
              + """
                server {
                  listen 127.0.0.1:%2$d;
                  location = /v2/ { default_type application/json; return 200 '{}'; }
                  location ~ "^/v2/.+/blobs/sha256:([0-9a-f]{2})([0-9a-f]{62})$" {
                    default_type application/octet-stream;
                    alias %1$s/docker/registry/v2/blobs/sha256/$1/$1$2/data;
                  }
                }
              }
              """
                  .formatted(upstreamStorage, port);
      return nginx(dir, conf);
    };
  }

  /** cache-proxy's server jar with a rule {@code up/*} to the link. */
  static ServedSystem.Launch cacheProxy(
      Path java, Path jar, List<String> jvmOptions, int linkPort) {
    return new ServedSystem.Launch() {
      @Override
      public List<String> command(Path dir, int port) throws IOException {
        Path config = dir.resolve("config.yaml");
        write(
            config,
            """
            log: {accessLog: false}
            rules:
              - name: up
                target: "up/*"
                source: "http://127.0.0.1:%d/*"
            """
                .formatted(linkPort));
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(jvmOptions);
        command.addAll(
            List.of(
                "-jar",
                jar.toString(),
                "--config",
                config.toString(),
                "--port",
                Integer.toString(port),
                "--data-dir",
                dir.resolve("state").toString(),
                "--admin-port",
                "0"));
        return command;
      }

      @Override
      public String prefix() {
        return "up/";
      }
    };
  }

  private static String nginxHead(Path dir) {
    Path state = dir.resolve("state");
    // As root, nginx's workers run as nobody and could not read the files of the run; keep root.
    String user = "root".equals(System.getProperty("user.name")) ? "user root root;\n" : "";
    return user
        + """
        worker_processes auto;
        pid %1$s/nginx.pid;
        error_log %1$s/error.log warn;
        events { worker_connections 4096; }
        http {
          access_log off;
          sendfile on;
          tcp_nopush on;
          keepalive_requests 1000000;
          client_body_temp_path %2$s/client_temp;
          proxy_temp_path %2$s/proxy_temp;
          fastcgi_temp_path %2$s/fastcgi_temp;
          uwsgi_temp_path %2$s/uwsgi_temp;
          scgi_temp_path %2$s/scgi_temp;
        """
            .formatted(dir, state);
  }

  private static List<String> nginx(Path dir, String conf) throws IOException {
    Path file = dir.resolve("nginx.conf");
    write(file, conf);
    return List.of("nginx", "-c", file.toString(), "-g", "daemon off;");
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }
}
