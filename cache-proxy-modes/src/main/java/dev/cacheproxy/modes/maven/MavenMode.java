package dev.cacheproxy.modes.maven;

import dev.cacheproxy.core.cache.BusyPolicy;
import dev.cacheproxy.core.cache.CachePolicy;
import dev.cacheproxy.core.config.ConfigBlock;
import dev.cacheproxy.core.config.Freshness;
import dev.cacheproxy.core.mode.InstanceBasics;
import dev.cacheproxy.core.mode.Mode;
import dev.cacheproxy.core.mode.ModeContext;
import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.core.mode.SharedBlocks;
import java.time.Duration;

/** The {@code maven} mode: a cache of one Maven repository (releases, snapshots, plugins). */
public final class MavenMode implements Mode<MavenConfig> {
    @Override
    public String key() {
        return "maven";
    }

    @Override
    public MavenConfig parse(ConfigBlock b) {
        InstanceBasics basics =
                InstanceBasics.reader("maven mode").upstream("the repository URL", "MAVEN_UPSTREAM").read(b);
        return new MavenConfig(basics,
                SharedBlocks.policy(b, "release_policy", CachePolicy.IMMUTABLE),
                SharedBlocks.policy(b, "snapshot_policy", CachePolicy.REVALIDATE),
                SharedBlocks.freshness(b, "snapshot_fresh_for").orElse(Freshness.NONE),
                SharedBlocks.policy(b, "checksum_policy", CachePolicy.REVALIDATE),
                SharedBlocks.freshness(b, "checksum_fresh_for").orElse(Freshness.of(Duration.ofSeconds(30))),
                SharedBlocks.busyPolicy(b, "checksum_busy_policy", BusyPolicy.BYPASS),
                SharedBlocks.freshness(b, "metadata_fresh_for").orElse(Freshness.NONE),
                SharedBlocks.busyPolicy(b, "metadata_busy_policy", BusyPolicy.STALE));
    }

    @Override
    public ModeInstance create(String name, MavenConfig config, ModeContext context) {
        return new MavenInstance(config, context.engine(name, config.basics()));
    }
}
