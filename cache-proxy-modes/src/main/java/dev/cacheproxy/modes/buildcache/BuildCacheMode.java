package dev.cacheproxy.modes.buildcache;

import dev.cacheproxy.core.cache.HostedStore;
import dev.cacheproxy.core.config.ConfigBlock;
import dev.cacheproxy.core.index.EntryIndex;
import dev.cacheproxy.core.mode.InstanceBasics;
import dev.cacheproxy.core.mode.Mode;
import dev.cacheproxy.core.mode.ModeContext;
import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.core.mode.SharedBlocks;
import dev.cacheproxy.core.cache.CacheEngine;
import dev.cacheproxy.core.upstream.UpstreamAuth;
import dev.cacheproxy.core.upstream.UpstreamClient;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

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
        Optional<URI> upstream = b.httpUrl("upstream");
        Optional<String> token = b.string("upstream_token").filter(t -> !t.isBlank());
        if (token.isPresent() && upstream.isEmpty()) {
            b.error("upstream_token", "is only sent to an upstream: set upstream too");
        }
        // no negative caching: a key missing centrally now may be uploaded there by another office any moment
        InstanceBasics basics = new InstanceBasics(SharedBlocks.route(b), upstream.map(List::of).orElse(List.of()),
                SharedBlocks.transport(b), Duration.ZERO, SharedBlocks.expireAfter(b), List.of());
        long max = SharedBlocks.positiveByteSize(b, "max_object_size", DEFAULT_MAX_OBJECT_SIZE);
        return new BuildCacheConfig(basics, max, token);
    }

    @Override
    public ModeInstance create(String name, BuildCacheConfig config, ModeContext context) {
        EntryIndex index = context.index(name);
        HostedStore store = new HostedStore(name, context.store(), index, context.space(), context.clock(), context.events(),
                context.usage());
        Optional<UpstreamTier> tier = config.upstream().map(base -> {
            // one Authorization value for the reads (through the engine) and the forwarded writes
            Optional<String> authorization = config.upstreamToken().map(t -> "Bearer " + t);
            UpstreamAuth auth = authorization.map(UpstreamAuth::fixed).orElse(UpstreamAuth.NONE);
            UpstreamClient client = context.upstream(name, List.of(base), config.basics().transport(), auth);
            // the engine shares the store's index: what it fetches is the same key's entry
            CacheEngine engine = new CacheEngine(name, context.store(), index, client, context.limiter(), Duration.ZERO,
                    context.clock(), context.events(), context.fillThreads(), context.space());
            return new UpstreamTier(name, base, authorization, engine, store, config);
        });
        return new BuildCacheInstance(name, config, store, tier);
    }
}
