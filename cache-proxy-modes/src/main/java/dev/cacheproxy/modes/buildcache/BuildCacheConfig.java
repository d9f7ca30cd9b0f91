package dev.cacheproxy.modes.buildcache;

import dev.cacheproxy.core.mode.InstanceBasics;
import dev.cacheproxy.core.mode.ModeConfig;

/**
 * A {@code buildcache} block: the mount ({@code route.path}), {@code expire_after} (retention since an entry's
 * last read or write; in the basics) and {@code max_object_size}, the largest upload stored (bytes). No
 * upstream: the basics carry none.
 */
record BuildCacheConfig(InstanceBasics basics, long maxObjectSize) implements ModeConfig {}
