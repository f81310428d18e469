/* Copyright 2026 The cache-proxy authors. SPDX-License-Identifier: Apache-2.0 */
package dev.cacheproxy.server.transport;

import java.nio.file.Path;

/**
 * The {@code tls:} section: the certificate a listener presents, read from PEM files that are
 * reloaded when they change.
 *
 * @param certificate the PEM certificate chain, the server's certificate first
 * @param key the PEM private key (PKCS#8, {@code BEGIN PRIVATE KEY}, unencrypted)
 * @param http2 whether clients may speak HTTP/2 (negotiated with ALPN)
 */
public record TlsSettings(Path certificate, Path key, boolean http2) {}
