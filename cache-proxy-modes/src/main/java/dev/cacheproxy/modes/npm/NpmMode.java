package dev.cacheproxy.modes.npm;

import dev.cacheproxy.core.cache.BusyPolicy;
import dev.cacheproxy.core.cache.CachePolicy;
import dev.cacheproxy.core.config.ConfigBlock;
import dev.cacheproxy.core.config.Freshness;
import dev.cacheproxy.core.mode.Mode;
import dev.cacheproxy.core.mode.ModeContext;
import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.core.mode.SharedBlocks;
import java.net.URI;
import java.util.List;

/** The {@code npm} mode: a registry cache for npm, pnpm and yarn clients. */
public final class NpmMode implements Mode<NpmConfig> {
    @Override
    public String key() {
        return "npm";
    }

    @Override
    public NpmConfig parse(ConfigBlock b) {
        var mount = SharedBlocks.route(b);
        URI upstream = SharedBlocks.upstream(b, "npm mode requires the registry URL", "NPM_UPSTREAM");
        CachePolicy metadata = SharedBlocks.policy(b, "metadata_policy", CachePolicy.REVALIDATE);
        Freshness fresh = SharedBlocks.freshness(b, "metadata_fresh_for").orElse(Freshness.NONE);
        BusyPolicy busy = SharedBlocks.busyPolicy(b, "metadata_busy_policy", BusyPolicy.STALE);
        CachePolicy tarballs = SharedBlocks.policy(b, "tarball_policy", CachePolicy.IMMUTABLE);
        return new NpmConfig(mount, upstream, metadata, fresh, busy, tarballs, SharedBlocks.expireAfter(b),
                SharedBlocks.negativeCacheFor(b), SharedBlocks.transport(b));
    }

    @Override
    public ModeInstance create(String name, NpmConfig config, ModeContext context) {
        var upstream = context.upstream(name, List.of(config.upstream()), config.transport());
        var engine = context.engine(name, upstream, config.negativeCacheFor());
        return new NpmInstance(config, engine, new RenderedDocuments(context.store(),
                new PackumentRewriter(config.upstream(), below -> NpmInstance.tarballPath(below).isPresent()),
                config.metadataFreshFor()));
    }
}
