/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
/**
 * Configuration for container runtimes that pull through a running proxy as their registry mirror:
 * {@link dev.cacheproxy.server.clientconfig.ClientConfigGenerator} writes dockerd's {@code
 * daemon.json}, containerd's {@code hosts.toml}, podman's {@code registries.conf}, k3s's {@code
 * registries.yaml} and a kind cluster configuration for a {@link
 * dev.cacheproxy.server.clientconfig.MirrorTarget}.
 */
@NullMarked
package dev.cacheproxy.server.clientconfig;

import org.jspecify.annotations.NullMarked;
