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
        URI upstream = b.httpUrl("upstream").orElse(null);
        if (!b.has("upstream")) {
            b.error("upstream", "missing: npm mode requires the registry URL (e.g. upstream: ${NPM_UPSTREAM})");
        }
        CachePolicy metadata = b.oneOf("metadata_policy", CachePolicy.NAMES).map(CachePolicy::parse)
                .orElse(CachePolicy.REVALIDATE);
        Freshness fresh = SharedBlocks.freshness(b, "metadata_fresh_for").orElse(Freshness.NONE);
        BusyPolicy busy = b.oneOf("metadata_busy_policy", BusyPolicy.NAMES).map(BusyPolicy::parse)
                .orElse(BusyPolicy.STALE);
        CachePolicy tarballs = b.oneOf("tarball_policy", CachePolicy.NAMES).map(CachePolicy::parse)
                .orElse(CachePolicy.IMMUTABLE);
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
