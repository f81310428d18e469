package dev.cacheproxy.core.internal.upstream;

import dev.cacheproxy.core.Digest;
import org.jspecify.annotations.Nullable;

/**
 * A manifest as an upstream returned it to a GET.
 *
 * @param content the body, at most 4 MiB
 * @param mediaType the Content-Type, without parameters
 * @param digestHeader the {@code Docker-Content-Digest} header, if sent
 */
public record UpstreamManifest(byte[] content, String mediaType, @Nullable Digest digestHeader) {}
