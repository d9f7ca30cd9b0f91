package dev.cacheproxy.modes.cargo;

import dev.cacheproxy.core.cache.BusyPolicy;
import dev.cacheproxy.core.cache.CachePolicy;
import dev.cacheproxy.core.config.ConfigBlock;
import dev.cacheproxy.core.config.Freshness;
import dev.cacheproxy.core.mode.InstanceBasics;
import dev.cacheproxy.core.mode.Mode;
import dev.cacheproxy.core.mode.ModeContext;
import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.core.mode.SharedBlocks;
import dev.cacheproxy.core.upstream.Failover;
import dev.cacheproxy.core.upstream.UpstreamAuth;
import dev.cacheproxy.core.upstream.UpstreamClient;
import java.util.Optional;

/** The {@code cargo} mode: a sparse registry cache for cargo. */
public final class CargoMode implements Mode<CargoConfig> {
    @Override
    public String key() {
        return "cargo";
    }

    @Override
    public CargoConfig parse(ConfigBlock b) {
        InstanceBasics basics = InstanceBasics.reader("cargo mode").upstream("the sparse index URL", "CARGO_UPSTREAM")
                .read(b);
        Optional<String> token = b.string("token").filter(t -> !t.isBlank());
        return new CargoConfig(basics,
                SharedBlocks.policy(b, "crate_policy", CachePolicy.IMMUTABLE),
                SharedBlocks.freshness(b, "index_fresh_for").orElse(Freshness.NONE),
                SharedBlocks.busyPolicy(b, "index_busy_policy", BusyPolicy.STALE),
                b.bool("auth_required").orElse(false), token);
    }

    @Override
    public ModeInstance create(String name, CargoConfig config, ModeContext context) {
        DownloadTargets downloads = new DownloadTargets();
        UpstreamAuth auth = config.token().map(UpstreamAuth::fixed).orElse(UpstreamAuth.NONE); // cargo sends the bare token
        UpstreamClient client = new UpstreamClient(name, config.basics().upstreams(), config.basics().transport(),
                context.events(), auth, downloads, Failover.ON_FAILURE, context.health(), context.transports());
        return new CargoInstance(config, context.engine(name, client, config.basics().negativeCacheFor()), downloads,
                context.store());
    }
}
