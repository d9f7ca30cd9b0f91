package dev.cacheproxy.modes.file;

import dev.cacheproxy.core.cache.BusyPolicy;
import dev.cacheproxy.core.cache.CachePolicy;
import dev.cacheproxy.core.config.ConfigBlock;
import dev.cacheproxy.core.config.Freshness;
import dev.cacheproxy.core.config.Glob;
import dev.cacheproxy.core.mode.InstanceBasics;
import dev.cacheproxy.core.mode.Mode;
import dev.cacheproxy.core.mode.ModeContext;
import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.core.mode.SharedBlocks;
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
        InstanceBasics basics = InstanceBasics.reader("file mode").upstreams().passHeaders().read(b);
        CachePolicy policy = SharedBlocks.policy(b, "default_policy", CachePolicy.BYPASS);
        Freshness fresh = SharedBlocks.freshness(b, "fresh_for").orElse(Freshness.NONE);
        BusyPolicy busy = SharedBlocks.busyPolicy(b, "busy_policy", BusyPolicy.BYPASS);
        List<FileConfig.Rule> rules = new ArrayList<>();
        for (ConfigBlock r : b.blockList("rules")) {
            Optional<Glob> glob = SharedBlocks.glob(r, "match");
            var rp = r.oneOf("policy", CachePolicy.NAMES).map(CachePolicy::parse);
            var rf = SharedBlocks.freshness(r, "fresh_for");
            var rb = r.oneOf("busy_policy", BusyPolicy.NAMES).map(BusyPolicy::parse);
            var re = r.expiration("expire_after");
            glob.ifPresent(g -> rules.add(new FileConfig.Rule(g, rp, rf, rb, re)));
        }
        return new FileConfig(basics, policy, fresh, busy, List.copyOf(rules));
    }

    @Override
    public ModeInstance create(String name, FileConfig config, ModeContext context) {
        return new FileInstance(config, context.engine(name, config.basics()));
    }
}
