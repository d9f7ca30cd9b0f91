package dev.cacheproxy.modes.pypi;

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

/** The {@code pypi} mode: a cache of a Python package index (PEP 503, 691, 658, 714). */
public final class PypiMode implements Mode<PypiConfig> {
    @Override
    public String key() {
        return "pypi";
    }

    @Override
    public PypiConfig parse(ConfigBlock b) {
        InstanceBasics basics = InstanceBasics.reader("pypi mode").upstream("the index URL", "PYPI_UPSTREAM").read(b);
        return new PypiConfig(basics,
                SharedBlocks.policy(b, "index_policy", CachePolicy.REVALIDATE),
                SharedBlocks.freshness(b, "index_fresh_for").orElse(Freshness.of(Duration.ofMinutes(1))),
                SharedBlocks.busyPolicy(b, "index_busy_policy", BusyPolicy.STALE),
                SharedBlocks.policy(b, "file_policy", CachePolicy.IMMUTABLE),
                SharedBlocks.policy(b, "companion_policy", CachePolicy.REVALIDATE),
                SharedBlocks.freshness(b, "companion_fresh_for").orElse(Freshness.of(Duration.ofSeconds(30))),
                SharedBlocks.busyPolicy(b, "companion_busy_policy", BusyPolicy.BYPASS),
                b.bool("proxy_json").orElse(true),
                b.bool("proxy_core_metadata").orElse(false),
                b.bool("proxy_signatures").orElse(false),
                b.httpUrlList("file_hosts"));
    }

    @Override
    public ModeInstance create(String name, PypiConfig config, ModeContext context) {
        FileHosts hosts = FileHosts.load(config.basics().upstream(), config.fileHosts(), context.stateDir(name));
        return new PypiInstance(name, config, context.engine(name, config.basics(), hosts), hosts, context.store());
    }
}
