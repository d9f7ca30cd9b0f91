package dev.cacheproxy.modes.file;

import dev.cacheproxy.core.cache.BusyPolicy;
import dev.cacheproxy.core.cache.CachePolicy;
import dev.cacheproxy.core.cache.CacheRule;
import dev.cacheproxy.core.config.Expiration;
import dev.cacheproxy.core.config.Freshness;
import dev.cacheproxy.core.config.Glob;
import dev.cacheproxy.core.mode.InstanceBasics;
import dev.cacheproxy.core.mode.ModeConfig;
import java.util.List;
import java.util.Optional;

/**
 * The {@code file} block: a generic HTTP cache in front of one or more upstreams tried in order.
 *
 * <p>Rules: every rule whose {@code match} glob matches the path below the mount applies, in order,
 * later rules overriding the fields they set (the Go project's semantics).
 */
public record FileConfig(InstanceBasics basics, CachePolicy defaultPolicy, Freshness freshFor, BusyPolicy busyPolicy,
        List<Rule> rules) implements ModeConfig {

    /** One {@code rules[]} entry; empty fields leave the value from earlier rules or defaults. */
    public record Rule(Glob match, Optional<CachePolicy> policy, Optional<Freshness> freshFor,
            Optional<BusyPolicy> busyPolicy, Optional<Expiration> expireAfter) {}

    /** The effective rule for a path below the mount. */
    public CacheRule ruleFor(String relativePath) {
        CachePolicy p = defaultPolicy;
        Freshness f = freshFor;
        BusyPolicy b = busyPolicy;
        Expiration e = basics.expireAfter();
        for (Rule r : rules) {
            if (r.match().matches(relativePath)) {
                p = r.policy().orElse(p);
                f = r.freshFor().orElse(f);
                b = r.busyPolicy().orElse(b);
                e = r.expireAfter().orElse(e);
            }
        }
        return new CacheRule(p, f, b, e);
    }
}
