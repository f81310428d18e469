/** Internal to cache-proxy-core; no compatibility is promised. */
@NullMarked
package dev.cacheproxy.core.internal.upstream;

import org.jspecify.annotations.NullMarked;
