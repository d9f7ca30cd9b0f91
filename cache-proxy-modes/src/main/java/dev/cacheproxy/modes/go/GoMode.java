package dev.cacheproxy.modes.go;

import dev.cacheproxy.core.cache.BusyPolicy;
import dev.cacheproxy.core.cache.CachePolicy;
import dev.cacheproxy.core.config.ConfigBlock;
import dev.cacheproxy.core.config.Freshness;
import dev.cacheproxy.core.mode.InstanceBasics;
import dev.cacheproxy.core.mode.Mode;
import dev.cacheproxy.core.mode.ModeContext;
import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.core.mode.SharedBlocks;
import dev.cacheproxy.core.upstream.AllowedTargets;
import dev.cacheproxy.core.upstream.Failover;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The {@code go} mode: a module proxy (GOPROXY) and checksum database cache. */
public final class GoMode implements Mode<GoConfig> {
    static final GoConfig.Sumdb DEFAULT_SUMDB = new GoConfig.Sumdb("sum.golang.org", URI.create("https://sum.golang.org"));

    @Override
    public String key() {
        return "go";
    }

    @Override
    public GoConfig parse(ConfigBlock b) {
        InstanceBasics basics = InstanceBasics.reader("go mode").upstreams("proxies").read(b);
        GoPrivate goprivate = GoPrivate.NONE;
        try {
            goprivate = GoPrivate.of(b.stringList("goprivate"));
        } catch (IllegalArgumentException e) {
            b.error("goprivate", e.getMessage());
        }
        return new GoConfig(basics,
                SharedBlocks.policy(b, "module_policy", CachePolicy.REVALIDATE),
                SharedBlocks.freshness(b, "module_fresh_for").orElse(Freshness.of(Duration.ofMinutes(1))),
                SharedBlocks.busyPolicy(b, "module_busy_policy", BusyPolicy.STALE),
                SharedBlocks.policy(b, "zip_policy", CachePolicy.IMMUTABLE),
                sumdb(b),
                SharedBlocks.freshness(b, "sumdb_fresh_for").orElse(Freshness.of(Duration.ofSeconds(30))),
                SharedBlocks.busyPolicy(b, "sumdb_busy_policy", BusyPolicy.BYPASS),
                goprivate,
                b.bool("disable_module_fetch_header").orElse(false));
    }

    /**
     * As in the Go project: no {@code sumdb} block proxies sum.golang.org; a block without
     * {@code enabled: true} proxies none.
     */
    private static Optional<GoConfig.Sumdb> sumdb(ConfigBlock b) {
        Optional<ConfigBlock> block = b.block("sumdb");
        if (block.isEmpty()) {
            return Optional.of(DEFAULT_SUMDB);
        }
        ConfigBlock s = block.get();
        boolean enabled = s.bool("enabled").orElse(false);
        Optional<String> name = s.string("name");
        Optional<URI> url = s.httpUrl("url");
        if (!enabled) {
            return Optional.empty();
        }
        String n = name.orElse(DEFAULT_SUMDB.name());
        if (n.isBlank() || n.chars().anyMatch(Character::isWhitespace) || n.contains("/")) {
            s.error("name", "'" + n + "' is not a checksum database name");
        }
        return Optional.of(new GoConfig.Sumdb(n, url.orElse(DEFAULT_SUMDB.url())));
    }

    @Override
    public ModeInstance create(String name, GoConfig config, ModeContext context) {
        AllowedTargets sumdb = config.sumdb().map(s -> AllowedTargets.of(List.of(GoInstance.base(s.url()))))
                .orElse(AllowedTargets.NONE);
        return new GoInstance(config, context.engine(name, config.basics(), sumdb, Failover.ON_FAILURE_OR_MISSING),
                context.store());
    }
}
