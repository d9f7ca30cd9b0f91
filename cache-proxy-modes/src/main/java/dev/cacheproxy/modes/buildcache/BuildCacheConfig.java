package dev.cacheproxy.modes.buildcache;

import dev.cacheproxy.core.mode.InstanceBasics;
import dev.cacheproxy.core.mode.ModeConfig;
import java.net.URI;
import java.util.Optional;

/**
 * A {@code buildcache} block: the mount ({@code route.path}), {@code expire_after} (retention since an entry's
 * last read or write; in the basics), {@code max_object_size}, the largest upload stored (bytes), and an
 * optional {@code upstream} (a central build cache, the basics' one upstream) with its {@code upstream_token}.
 */
record BuildCacheConfig(InstanceBasics basics, long maxObjectSize, Optional<String> upstreamToken) implements ModeConfig {
    /** {@code upstream}: a central build cache of the same kind (see {@link UpstreamTier}), or empty. */
    Optional<URI> upstream() {
        return basics.upstreams().stream().findFirst();
    }

    /** Never prints the upstream token. */
    @Override
    public String toString() {
        return "BuildCacheConfig[mount=" + basics.mount() + ", maxObjectSize=" + maxObjectSize + ", upstream="
                + upstream().map(dev.cacheproxy.core.upstream.UpstreamUrls::display).orElse("none")
                + ", upstreamToken=" + (upstreamToken.isPresent() ? "(set)" : "(none)") + "]";
    }
}
