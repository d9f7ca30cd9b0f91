package dev.cacheproxy.modes.npm;

import dev.cacheproxy.core.cache.BusyPolicy;
import dev.cacheproxy.core.cache.CachePolicy;
import dev.cacheproxy.core.config.ConfigBlock;
import dev.cacheproxy.core.config.Freshness;
import dev.cacheproxy.core.mode.InstanceBasics;
import dev.cacheproxy.core.mode.Mode;
import dev.cacheproxy.core.mode.ModeContext;
import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.core.mode.SharedBlocks;

/** The {@code npm} mode: a registry cache for npm, pnpm and yarn clients. */
public final class NpmMode implements Mode<NpmConfig> {
    @Override
    public String key() {
        return "npm";
    }

    @Override
    public NpmConfig parse(ConfigBlock b) {
        InstanceBasics basics = InstanceBasics.reader("npm mode").upstream("the registry URL", "NPM_UPSTREAM").read(b);
        CachePolicy metadata = SharedBlocks.policy(b, "metadata_policy", CachePolicy.REVALIDATE);
        Freshness fresh = SharedBlocks.freshness(b, "metadata_fresh_for").orElse(Freshness.NONE);
        BusyPolicy busy = SharedBlocks.busyPolicy(b, "metadata_busy_policy", BusyPolicy.STALE);
        CachePolicy tarballs = SharedBlocks.policy(b, "tarball_policy", CachePolicy.IMMUTABLE);
        return new NpmConfig(basics, metadata, fresh, busy, tarballs);
    }

    @Override
    public ModeInstance create(String name, NpmConfig config, ModeContext context) {
        var engine = context.engine(name, config.basics());
        return new NpmInstance(config, engine, new RenderedDocuments(context.store(),
                new PackumentRewriter(config.basics().upstream(), below -> NpmInstance.tarballPath(below).isPresent()),
                config.metadataFreshFor()));
    }
}
