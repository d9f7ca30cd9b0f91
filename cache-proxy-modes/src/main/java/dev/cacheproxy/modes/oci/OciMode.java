package dev.cacheproxy.modes.oci;

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

/**
 * The {@code oci} mode: a pull-through cache of one container registry, on its own listener.
 *
 * <p>One deliberate difference from the Go project: {@code default_policy} defaults to
 * {@code revalidate}, not {@code bypass}. A registry cache that caches nothing until told to is a
 * trap; tags are checked with a HEAD (free of registry rate limits) and digests are immutable anyway.
 */
public final class OciMode implements Mode<OciConfig> {
    @Override
    public String key() {
        return "oci";
    }

    @Override
    public OciConfig parse(ConfigBlock b) {
        InstanceBasics basics =
                InstanceBasics.reader("oci mode").bound().upstream("the registry URL", "OCI_UPSTREAM").read(b);
        Optional<String> displayUrl = b.string("display_url");
        CachePolicy policy = SharedBlocks.policy(b, "default_policy", CachePolicy.REVALIDATE);
        Freshness fresh = SharedBlocks.freshness(b, "fresh_for").orElse(Freshness.NONE);
        BusyPolicy busy = SharedBlocks.busyPolicy(b, "busy_policy", BusyPolicy.BYPASS);
        List<OciConfig.Rule> rules = new ArrayList<>();
        for (ConfigBlock r : b.blockList("rules")) {
            Optional<Glob> glob = SharedBlocks.glob(r, "match");
            var rp = r.oneOf("policy", CachePolicy.NAMES).map(CachePolicy::parse);
            var re = r.expiration("expire_after");
            glob.ifPresent(g -> rules.add(new OciConfig.Rule(g, rp, re)));
        }
        return new OciConfig(basics, displayUrl, policy, fresh, busy, auth(b), List.copyOf(rules));
    }

    private static OciConfig.Auth auth(ConfigBlock b) {
        Optional<ConfigBlock> block = b.block("auth");
        if (block.isEmpty()) {
            return new OciConfig.Auth.None();
        }
        ConfigBlock a = block.get();
        String type = a.oneOf("type", List.of("none", "basic", "bearer")).orElse("none");
        return switch (type) {
            case "basic" -> {
                Optional<String> user = a.requiredString("username");
                Optional<String> password = a.requiredString("password");
                yield new OciConfig.Auth.Basic(user.orElse(""), password.orElse(""));
            }
            case "bearer" -> new OciConfig.Auth.Bearer(a.requiredString("token").orElse(""));
            default -> new OciConfig.Auth.None();
        };
    }

    @Override
    public ModeInstance create(String name, OciConfig config, ModeContext context) {
        RegistryAuth auth = new RegistryAuth(name, config.auth(), config.transport(), context.clock());
        return new OciInstance(name, config, context.engine(name, config.basics(), auth));
    }
}
