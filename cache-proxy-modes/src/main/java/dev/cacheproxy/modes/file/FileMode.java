package dev.cacheproxy.modes.file;

import dev.cacheproxy.core.cache.BusyPolicy;
import dev.cacheproxy.core.cache.CachePolicy;
import dev.cacheproxy.core.config.ConfigBlock;
import dev.cacheproxy.core.config.Freshness;
import dev.cacheproxy.core.config.Glob;
import dev.cacheproxy.core.mode.Mode;
import dev.cacheproxy.core.mode.ModeContext;
import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.core.mode.SharedBlocks;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The {@code file} mode: a generic HTTP file cache. */
public final class FileMode implements Mode<FileConfig> {
    @Override
    public String key() {
        return "file";
    }

    @Override
    public FileConfig parse(ConfigBlock b) {
        var mount = SharedBlocks.route(b);
        List<URI> upstreams = SharedBlocks.upstreams(b, "file mode");
        List<String> passHeaders = SharedBlocks.passHeaders(b);
        CachePolicy policy = SharedBlocks.policy(b, "default_policy", CachePolicy.BYPASS);
        Freshness fresh = SharedBlocks.freshness(b, "fresh_for").orElse(Freshness.NONE);
        BusyPolicy busy = SharedBlocks.busyPolicy(b, "busy_policy", BusyPolicy.BYPASS);
        var expire = SharedBlocks.expireAfter(b);
        List<FileConfig.Rule> rules = new ArrayList<>();
        for (ConfigBlock r : b.blockList("rules")) {
            Optional<Glob> glob = SharedBlocks.glob(r, "match");
            var rp = r.oneOf("policy", CachePolicy.NAMES).map(CachePolicy::parse);
            var rf = SharedBlocks.freshness(r, "fresh_for");
            var rb = r.oneOf("busy_policy", BusyPolicy.NAMES).map(BusyPolicy::parse);
            var re = r.expiration("expire_after");
            glob.ifPresent(g -> rules.add(new FileConfig.Rule(g, rp, rf, rb, re)));
        }
        Duration negative = SharedBlocks.negativeCacheFor(b);
        return new FileConfig(mount, upstreams, passHeaders, policy, fresh, busy, expire, List.copyOf(rules), negative,
                SharedBlocks.transport(b));
    }

    @Override
    public ModeInstance create(String name, FileConfig config, ModeContext context) {
        var upstream = context.upstream(name, config.upstreams(), config.transport());
        return new FileInstance(config, context.engine(name, upstream, config.negativeCacheFor()));
    }
}
