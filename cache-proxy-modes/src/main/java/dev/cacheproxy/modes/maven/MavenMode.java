package dev.cacheproxy.modes.maven;

import dev.cacheproxy.core.cache.BusyPolicy;
import dev.cacheproxy.core.cache.CachePolicy;
import dev.cacheproxy.core.config.ConfigBlock;
import dev.cacheproxy.core.config.Freshness;
import dev.cacheproxy.core.mode.Mode;
import dev.cacheproxy.core.mode.ModeContext;
import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.core.mode.SharedBlocks;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/** The {@code maven} mode: a cache of one Maven repository (releases, snapshots, plugins). */
public final class MavenMode implements Mode<MavenConfig> {
    @Override
    public String key() {
        return "maven";
    }

    @Override
    public MavenConfig parse(ConfigBlock b) {
        var mount = SharedBlocks.route(b);
        URI upstream = SharedBlocks.upstream(b, "maven mode requires the repository URL", "MAVEN_UPSTREAM");
        return new MavenConfig(mount, upstream,
                SharedBlocks.policy(b, "release_policy", CachePolicy.IMMUTABLE),
                SharedBlocks.policy(b, "snapshot_policy", CachePolicy.REVALIDATE),
                SharedBlocks.freshness(b, "snapshot_fresh_for").orElse(Freshness.NONE),
                SharedBlocks.policy(b, "checksum_policy", CachePolicy.REVALIDATE),
                SharedBlocks.freshness(b, "checksum_fresh_for").orElse(Freshness.of(Duration.ofSeconds(30))),
                SharedBlocks.busyPolicy(b, "checksum_busy_policy", BusyPolicy.BYPASS),
                SharedBlocks.freshness(b, "metadata_fresh_for").orElse(Freshness.NONE),
                SharedBlocks.busyPolicy(b, "metadata_busy_policy", BusyPolicy.STALE),
                SharedBlocks.expireAfter(b), SharedBlocks.negativeCacheFor(b), SharedBlocks.transport(b));
    }

    @Override
    public ModeInstance create(String name, MavenConfig config, ModeContext context) {
        var upstream = context.upstream(name, List.of(config.upstream()), config.transport());
        return new MavenInstance(config, context.engine(name, upstream, config.negativeCacheFor()));
    }
}
