/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
/**
 * End-to-end tests against real software: the CNCF distribution registry ({@code docker-registry})
 * as the upstream and {@code skopeo} as the client, with the proxy in between.
 *
 * <p>The {@code *MirrorIT} tests ({@link dev.cacheproxy.server.it.MirrorClientITBase}) also drive
 * the real container clients through the proxy as their registry mirror: a private {@code dockerd}
 * ({@code daemon.json} {@code registry-mirrors}), a private {@code containerd} with {@code ctr}
 * ({@code hosts.toml}, which adds {@code ?ns=}), {@code podman} and {@code skopeo} ({@code
 * registries.conf}). Each client reads the file {@link
 * dev.cacheproxy.server.clientconfig.ClientConfigGenerator} writes for it, and the proxy runs a
 * production-shaped config in which the test registry stands in for {@code docker.io}, {@code
 * ghcr.io} and {@code registry.example.test}. The daemons keep their storage and sockets in
 * folders under {@code /tmp} and run under {@code unshare --mount} with a tmpfs over {@code /run}
 * (and {@code /var/lib/containers} for podman), so nothing they write elsewhere outlives them;
 * every client's {@code HTTPS_PROXY} is a closed loopback port, so a fallback to a public registry
 * fails at once instead of leaving the machine. Private storage and mounts need root: run as
 * another user, the dockerd, containerd and podman tests fail with a message saying so (they never
 * skip).
 *
 * <p>Run them with {@code ./run-tests} as root, which installs the tools when they are missing
 * ({@code docker-registry}, {@code skopeo}, {@code podman}, {@code containerd}, {@code docker.io},
 * {@code runc}, {@code crun}).
 */
@NullMarked
package dev.cacheproxy.server.it;

import org.jspecify.annotations.NullMarked;
