/** Internal to cache-proxy-core; no compatibility is promised. */
@NullMarked
package dev.cacheproxy.core.internal.store;

import org.jspecify.annotations.NullMarked;
