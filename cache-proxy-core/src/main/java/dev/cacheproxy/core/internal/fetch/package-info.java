/** Internal to cache-proxy-core; no compatibility is promised. */
@NullMarked
package dev.cacheproxy.core.internal.fetch;

import org.jspecify.annotations.NullMarked;
