package dev.cacheproxy.modes.buildcache;

import dev.cacheproxy.core.cache.HostedStore;
import dev.cacheproxy.core.config.ByteSize;
import dev.cacheproxy.core.config.ConfigBlock;
import dev.cacheproxy.core.index.EntryIndex;
import dev.cacheproxy.core.mode.InstanceBasics;
import dev.cacheproxy.core.mode.Mode;
import dev.cacheproxy.core.mode.ModeContext;
import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.core.mode.SharedBlocks;
import dev.cacheproxy.core.upstream.TransportSettings;
import java.time.Duration;
import java.util.List;

/** The {@code buildcache} mode (an addition to the Go project's modes): see the package documentation. */
public final class BuildCacheMode implements Mode<BuildCacheConfig> {
    /** A gigabyte: larger than any compiler output or Gradle entry, small enough to refuse a runaway upload. */
    static final long DEFAULT_MAX_OBJECT_SIZE = 1L << 30;

    @Override
    public String key() {
        return "buildcache";
    }

    @Override
    public BuildCacheConfig parse(ConfigBlock b) {
        // expire_after: retention since last use (read or written), 720h as the Go project's default expiry
        InstanceBasics basics = new InstanceBasics(SharedBlocks.route(b), List.of(), TransportSettings.DEFAULTS,
                Duration.ZERO, SharedBlocks.expireAfter(b), List.of());
        long max = DEFAULT_MAX_OBJECT_SIZE;
        if (b.string("max_object_size").isPresent()) {
            try {
                max = ByteSize.parse(b.string("max_object_size").get());
                if (max <= 0) {
                    b.error("max_object_size", "must be above 0");
                }
            } catch (IllegalArgumentException e) {
                b.error("max_object_size", e.getMessage());
            }
        }
        return new BuildCacheConfig(basics, max);
    }

    @Override
    public ModeInstance create(String name, BuildCacheConfig config, ModeContext context) {
        EntryIndex index = new EntryIndex(context.entries(), name, 100_000, context.usage(), context.clock());
        return new BuildCacheInstance(name, config, new HostedStore(name, context.store(), index, context.space(),
                context.clock(), context.events(), context.usage()));
    }
}
